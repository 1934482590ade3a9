"""tools/train.py, tools/test.py and tools/demo.py as a user runs them."""
import pickle

import mmcv
import numpy as np
import torch
from mmdet.registry import MODELS
from mmengine.config import Config
from mmengine.registry import DefaultScope

from evit_dense.datasets import TOY_COCO_CLASSES

from .conftest import TOY_CONFIG, run_tool


def test_train_then_test_gives_checkpoints_and_coco_map(fast_toy_config,
                                                        tmp_path):
    work_dir = tmp_path / 'work'
    run_tool('tools/train.py', fast_toy_config, '--work-dir', work_dir)
    checkpoint = work_dir / 'epoch_2.pth'
    assert (work_dir / 'epoch_1.pth').is_file() and checkpoint.is_file()
    assert torch.load(checkpoint, weights_only=True)['meta']['iter'] == 4

    out = tmp_path / 'predictions.pkl'
    result = run_tool('tools/test.py', fast_toy_config, checkpoint,
                      '--work-dir', work_dir, '--out', out,
                      '--show-dir', 'vis')
    assert 'coco/bbox_mAP:' in result.stdout
    with open(out, 'rb') as f:
        predictions = pickle.load(f)
    assert len(predictions) == 4
    assert 'bboxes' in predictions[0]['pred_instances']
    assert len(list(work_dir.glob('*/vis/*.jpg'))) == 4


def test_resume_continues_from_saved_iteration_and_optimizer_state(
        fast_toy_config, tmp_path):
    work_dir = tmp_path / 'work'
    run_tool('tools/train.py', fast_toy_config, '--work-dir', work_dir,
             '--cfg-options', 'train_cfg.max_epochs=1')
    saved = torch.load(work_dir / 'epoch_1.pth', weights_only=True)

    start = tmp_path / 'start.pth'
    probed_config = tmp_path / 'probed.py'
    probed_config.write_text(f'''
_base_ = {str(fast_toy_config)!r}
custom_imports = dict(imports=['evit_dense', 'tests.tools.train_start_probe'])
custom_hooks = [dict(type='SaveTrainStartHook', out_file={str(start)!r})]
''')
    run_tool('tools/train.py', probed_config, '--work-dir', work_dir,
             '--resume', work_dir / 'epoch_1.pth')

    started = torch.load(start, weights_only=True)
    assert saved['meta']['iter'] == started['iter'] == 2
    assert saved['optimizer']['state'], 'the optimizer has taken steps'
    torch.testing.assert_close(started['optimizer'], saved['optimizer'],
                               rtol=0, atol=0)
    final = torch.load(work_dir / 'epoch_2.pth', weights_only=True)
    assert final['meta']['iter'] == 4


def test_demo_draws_predictions(fast_toy_config, toy_coco, tmp_path):
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(Config.fromfile(fast_toy_config).model)
    checkpoint = tmp_path / 'untrained.pth'
    torch.save({'state_dict': model.state_dict(),
                'meta': {'dataset_meta': {'classes': TOY_COCO_CLASSES}}},
               checkpoint)
    image, out = toy_coco / 'val2017' / '000000000001.jpg', tmp_path / 'a.png'
    # Untrained, every score is near the prior: threshold 0 draws boxes.
    run_tool('tools/demo.py', image, fast_toy_config, checkpoint,
             '--out-file', out, '--score-thr', '0')
    drawn, original = mmcv.imread(out), mmcv.imread(image)
    assert drawn.shape == original.shape
    assert not np.array_equal(drawn, original)


def test_missing_dataset_is_named_before_the_runner_starts(tmp_path):
    missing = tmp_path / 'no_such_data'
    work_dir = tmp_path / 'work'
    result = run_tool('tools/train.py', TOY_CONFIG, '--work-dir', work_dir,
                      '--cfg-options',
                      f'train_dataloader.dataset.data_root={missing}',
                      check=False)
    assert result.returncode == 1
    assert 'Traceback' not in result.stdout
    assert f'error: train_dataloader.dataset: ann_file "{missing}/annotations/instances_train2017.json" does not exist' \
        in result.stdout
    assert not work_dir.exists()


def test_missing_checkpoint_is_named(fast_toy_config, tmp_path):
    missing = tmp_path / 'epoch_99.pth'
    result = run_tool('tools/test.py', fast_toy_config, missing, check=False)
    assert result.returncode != 0
    assert f'checkpoint file "{missing}" does not exist' in result.stdout
