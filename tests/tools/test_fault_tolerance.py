"""Training that survives faults, tried as it will be used: runs killed with
SIGKILL and resumed end with the weights of a run never interrupted; broken
input ends with one message naming it, exit status 1, no traceback."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO_ROOT
from tests.tools.conftest import (assert_one_message, max_weight_difference,
                                  run_dist_train, run_tool, weights)

TOY_ADE20K_CONFIG = REPO_ROOT / 'configs' / 'toy' / 'fpn_evit_m0_toy_ade20k.py'
# torch's CPU kernels give equal results for equal inputs; 1e-6 leaves room
# for nothing else.
SAME_WEIGHTS = 1e-6


def start_train(*argv, script='tools/train.py'):
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'PYTHONPATH': str(REPO_ROOT)}
    return subprocess.Popen([sys.executable, script, *map(str, argv)],
                            cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def kill_when(process, condition, timeout=240):
    """SIGKILL ``process`` as soon as ``condition()`` holds."""
    deadline = time.time() + timeout
    while not condition():
        assert process.poll() is None, 'training ended before the kill'
        assert time.time() < deadline, 'the kill condition never held'
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()


def test_sigkill_mid_epoch_then_resume_gives_uninterrupted_weights(
        resume_config, uninterrupted, tmp_path):
    process = start_train(resume_config, '--work-dir', tmp_path)
    # killed during iteration 4 or 5: after the mid-epoch checkpoint
    kill_when(process, lambda: (tmp_path / 'iter_3.pth').exists()
              and (tmp_path / 'last_checkpoint').exists())
    assert not (tmp_path / 'iter_6.pth').exists()

    result = run_tool('tools/train.py', resume_config, '--work-dir', tmp_path,
                      '--resume')

    assert 'resumed epoch: 1, iter: 3' in result.stdout
    assert max_weight_difference(tmp_path / 'iter_6.pth',
                                 uninterrupted / 'iter_6.pth') <= SAME_WEIGHTS


def test_sigkill_during_checkpoint_write_keeps_last_complete_checkpoint(
        resume_config, uninterrupted, tmp_path):
    keep_one = ('--cfg-options', 'default_hooks.checkpoint.max_keep_ckpts=1')
    process = start_train(resume_config, '--work-dir', tmp_path, *keep_one,
                          script='tests/tools/stalled_checkpoint_write.py')
    kill_when(process, lambda: (tmp_path / 'STALLED').exists())

    # MMEngine would have deleted iter_3.pth already
    assert sorted(p.name for p in tmp_path.glob('*.pth')) == ['iter_3.pth']
    last = (tmp_path / 'last_checkpoint').read_text()
    assert last.endswith('iter_3.pth')
    weights(last)  # complete
    run_tool('tools/train.py', resume_config, '--work-dir', tmp_path,
             '--resume', *keep_one)
    assert sorted(p.name for p in tmp_path.glob('*.pth')) == ['iter_6.pth']
    assert max_weight_difference(tmp_path / 'iter_6.pth',
                                 uninterrupted / 'iter_6.pth') <= SAME_WEIGHTS


def test_iteration_based_resume_gives_uninterrupted_weights(tmp_path):
    data_root = tmp_path / 'toy_ade20k'
    run_tool('tools/make_toy_ade20k.py', data_root, '--num-train', 8,
             '--num-val', 2)
    config = tmp_path / 'resume_toy_ade20k.py'
    config.write_text(f'''
_base_ = {str(TOY_ADE20K_CONFIG)!r}
data_root = {str(data_root)!r}
train_dataloader = dict(batch_size=2, num_workers=2, persistent_workers=True,
                        dataset=dict(data_root=data_root))
val_dataloader = dict(num_workers=0, persistent_workers=False,
                      dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
train_cfg = dict(max_iters=6, val_interval=3)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=3))
randomness = dict(seed=1)
''')
    run_tool('tools/train.py', config, '--work-dir', tmp_path / 'whole')
    (tmp_path / 'resumed').mkdir()
    os.link(tmp_path / 'whole' / 'iter_3.pth',
            tmp_path / 'resumed' / 'iter_3.pth')

    run_tool('tools/train.py', config, '--work-dir', tmp_path / 'resumed',
             '--resume', tmp_path / 'resumed' / 'iter_3.pth')

    assert max_weight_difference(tmp_path / 'whole' / 'iter_6.pth',
                                 tmp_path / 'resumed' / 'iter_6.pth'
                                 ) <= SAME_WEIGHTS


def test_two_process_resume_gives_uninterrupted_weights(resume_config,
                                                        tmp_path):
    options = ('train_dataloader.batch_size=2',
               'train_dataloader.num_workers=0',
               'train_dataloader.persistent_workers=False')
    run_dist_train(resume_config, tmp_path / 'whole', *options)
    (tmp_path / 'resumed').mkdir()
    os.link(tmp_path / 'whole' / 'iter_3.pth',
            tmp_path / 'resumed' / 'iter_3.pth')

    run_dist_train(resume_config, tmp_path / 'resumed', *options,
                   resume=True)

    assert max_weight_difference(tmp_path / 'whole' / 'iter_6.pth',
                                 tmp_path / 'resumed' / 'iter_6.pth'
                                 ) <= SAME_WEIGHTS


def test_missing_dataset_is_one_message_without_noise(tmp_path):
    if (REPO_ROOT / 'data' / 'coco').exists():
        pytest.skip('COCO is installed here: the config would train on it')
    result = run_tool('tools/train.py', REPO_ROOT / 'configs' /
                      'retinanet_evit_m4_coco.py', '--work-dir', tmp_path,
                      check=False)
    assert_one_message(result, 'instances_train2017.json')
    assert 'pkg_resources' not in result.stdout


@pytest.mark.parametrize('damage', ['truncated', 'not a checkpoint'])
def test_corrupt_checkpoint_is_one_message_and_checkpoints_stay(
        damage, resume_config, uninterrupted, tmp_path):
    good = uninterrupted / 'iter_6.pth'
    before = good.read_bytes()
    bad = tmp_path / 'bad.pth'
    bad.write_bytes(before[:len(before) // 2] if damage == 'truncated'
                    else b'not a checkpoint')
    work_dir = tmp_path / 'work'
    for command in (
            ('tools/train.py', resume_config, '--work-dir', work_dir,
             '--resume', bad),
            ('tools/train.py', resume_config, '--work-dir', work_dir,
             '--cfg-options', f'load_from={bad}'),
            ('tools/test.py', resume_config, bad, '--work-dir', work_dir)):
        assert_one_message(run_tool(*command, check=False), bad)
    result = run_tool('tools/convert_checkpoint.py', bad, tmp_path / 'out.pth',
                      check=False)
    assert result.returncode == 1 and str(bad) in result.stdout
    assert 'Traceback' not in result.stdout
    assert good.read_bytes() == before
    assert not list(work_dir.glob('*.pth'))


def test_broken_annotation_file_is_one_message(resume_config, toy_coco,
                                               tmp_path):
    annotations = json.loads(
        (toy_coco / 'annotations' / 'instances_train2017.json').read_text())
    annotations['annotations'][2]['bbox'][3] = -4
    broken = tmp_path / 'instances_train2017.json'
    broken.write_text(json.dumps(annotations))

    result = run_tool('tools/train.py', resume_config, '--work-dir', tmp_path,
                      '--cfg-options',
                      f'train_dataloader.dataset.ann_file={broken}',
                      check=False)

    assert_one_message(result, broken, 'negative',
                       f'annotation {annotations["annotations"][2]["id"]}')


@pytest.fixture
def truncated_image_coco(toy_coco, tmp_path):
    """The toy set with one training image cut to 90% of its bytes."""
    root = tmp_path / 'toy_coco'
    subprocess.run(['cp', '-r', str(toy_coco), str(root)], check=True)
    image = sorted((root / 'train2017').iterdir())[0]
    data = image.read_bytes()
    image.write_bytes(data[:len(data) * 9 // 10])
    return root, image


def test_truncated_image_stops_training_by_default(resume_config,
                                                    truncated_image_coco,
                                                    tmp_path):
    root, image = truncated_image_coco
    result = run_tool('tools/train.py', resume_config, '--work-dir', tmp_path,
                      '--cfg-options',
                      f'train_dataloader.dataset.data_root={root}/',
                      check=False)
    assert_one_message(result, image, 'truncated')


def test_truncated_image_is_skipped_and_counted_when_asked(
        resume_config, truncated_image_coco, tmp_path):
    root, image = truncated_image_coco
    result = run_tool('tools/train.py', resume_config, '--work-dir', tmp_path,
                      '--cfg-options',
                      f'train_dataloader.dataset.data_root={root}/',
                      'train_dataloader.skip_unreadable_images=True')
    skips = [line for line in result.stdout.splitlines()
             if 'skips so far' in line]
    # each of the 3 epochs meets the image once
    assert len(skips) == 3 and str(image) in skips[0]
    assert '(3 skips so far)' in skips[-1]
    assert (tmp_path / 'iter_6.pth').exists()


def test_nan_loss_stops_at_that_iteration_and_keeps_checkpoints(
        resume_config, uninterrupted, tmp_path):
    os.link(uninterrupted / 'iter_6.pth', tmp_path / 'iter_6.pth')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_6.pth'))
    before = (tmp_path / 'iter_6.pth').read_bytes()

    result = run_tool('tools/train.py', resume_config, '--work-dir', tmp_path,
                      '--resume', '--cfg-options', 'train_cfg.max_epochs=4',
                      'model.bbox_head.loss_bbox.loss_weight=nan',
                      check=False)

    assert_one_message(result, 'iteration 7', 'loss_bbox=nan',
                       tmp_path / 'iter_6.pth')
    assert sorted(p.name for p in tmp_path.glob('*.pth')) == ['iter_6.pth']
    assert (tmp_path / 'iter_6.pth').read_bytes() == before
