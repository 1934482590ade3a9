"""tools/train.py, tools/test.py and tools/demo.py on an mmseg config,
trained a few iterations on generated ADE20K-format data."""
import re

import numpy as np
import pytest
import torch
from mmseg.datasets import ADE20KDataset
from PIL import Image

from evit_dense.datasets import TOY_ADE20K_CLASSES
from tests.conftest import REPO_ROOT

from .conftest import run_dist_train, run_tool

TOY_CONFIG = REPO_ROOT / 'configs' / 'toy' / 'fpn_evit_m0_toy_ade20k.py'
ITERS = 4
NUM_VAL = 2
METRIC = r'{}: (\d+\.\d+)'


@pytest.fixture(scope='module')
def toy_ade20k(tmp_path_factory):
    root = tmp_path_factory.mktemp('toy_ade20k')
    run_tool('tools/make_toy_ade20k.py', root, '--num-train', 4,
             '--num-val', NUM_VAL)
    return root


@pytest.fixture(scope='module')
def fast_config(toy_ade20k, tmp_path_factory):
    """The toy config on the module's toy set: 4 iterations, validation and
    a checkpoint at the end, no dataloader workers."""
    path = tmp_path_factory.mktemp('configs') / 'fast_toy_ade20k.py'
    path.write_text(f'''
_base_ = {str(TOY_CONFIG)!r}
data_root = {str(toy_ade20k)!r}
loader = dict(num_workers=0, persistent_workers=False)
train_dataloader = dict(**loader, batch_size=2,
                        dataset=dict(data_root=data_root))
val_dataloader = dict(**loader, dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
param_scheduler = [dict(type='PolyLR', by_epoch=False, begin=0,
                        end={ITERS})]
train_cfg = dict(max_iters={ITERS}, val_interval={ITERS})
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval={ITERS}))
''')
    return path


@pytest.fixture(scope='module')
def checkpoint(fast_config, tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('work_dir')
    out = run_tool('tools/train.py', fast_config, '--work-dir', work_dir)
    miou = float(re.findall(METRIC.format('mIoU'), out.stdout)[-1])
    assert 0 <= miou <= 100
    path = work_dir / f'iter_{ITERS}.pth'
    assert path.is_file()
    return path


def test_test_tool_prints_metrics_and_saves_coloured_predictions(
        toy_ade20k, fast_config, checkpoint, tmp_path):
    show_dir = tmp_path / 'show'
    out = run_tool('tools/test.py', fast_config, checkpoint,
                   '--work-dir', tmp_path / 'work_dir',
                   '--show-dir', show_dir).stdout
    for metric in ('aAcc', 'mIoU', 'mAcc'):
        assert 0 <= float(re.findall(METRIC.format(metric), out)[-1]) <= 100
    assert 'per class results' in out
    # Every drawn class has a row with numbers; absent classes get nan.
    for name, _ in TOY_ADE20K_CLASSES.values():
        assert re.search(rf'\|\s+{name}\s+\|\s+\d+\.?\d*\s+\|', out), name
    assert re.search(r'\|\s+skyscraper\s+\|\s+nan\s+\|', out)

    drawings = sorted(show_dir.rglob('*.png'))
    assert len(drawings) == NUM_VAL
    # Ground truth and prediction side by side, each coloured over the image.
    drawing = np.asarray(Image.open(drawings[0]).convert('RGB'), np.float32)
    image = np.asarray(Image.open(toy_ade20k / 'images' / 'validation' /
                                  'ADE_val_00000001.jpg'), np.float32)
    assert drawing.shape == (120, 2 * 160, 3)
    for half in (drawing[:, :160], drawing[:, 160:]):
        assert np.abs(half - image).mean() > 10


def test_demo_writes_a_coloured_overlay(toy_ade20k, fast_config, checkpoint,
                                        tmp_path):
    image = next((toy_ade20k / 'images' / 'validation').iterdir())
    out_file = tmp_path / 'overlay.png'
    run_tool('tools/demo.py', image, fast_config, checkpoint,
             '--out-file', out_file, '--opacity', '1')
    overlay = np.asarray(Image.open(out_file).convert('RGB'))
    assert overlay.shape == (120, 160, 3)
    # At full opacity the pixels are ADE20K palette colours (bar the
    # drawn class names).
    palette = {tuple(colour) for colour in ADE20KDataset.METAINFO['palette']}
    in_palette = np.mean([tuple(pixel) in palette
                          for pixel in overlay.reshape(-1, 3)])
    assert in_palette > 0.8


@pytest.mark.skipif(torch.cuda.is_available(),
                    reason='SyncBN is only reverted without CUDA')
def test_two_process_cpu_training_of_syncbn_heads(fast_config, tmp_path):
    work_dir = tmp_path / 'work'
    result = run_dist_train(fast_config, work_dir, 'train_cfg.max_iters=2',
                            'default_hooks.checkpoint.interval=2')
    assert 'SyncBatchNorm layers are reverted to BatchNorm' in result.stdout
    assert re.search(METRIC.format('mIoU'), result.stdout)
    assert (work_dir / 'iter_2.pth').is_file()
