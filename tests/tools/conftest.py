import os
import subprocess
import sys

import pytest
import torch

from evit_dense.datasets import make_toy_coco
from tests.conftest import REPO_ROOT
from tests.runtime.test_distributed_without_cuda import free_port

TOY_CONFIG = REPO_ROOT / 'configs' / 'toy' / 'retinanet_evit_m0_toy_coco.py'


@pytest.fixture(scope='session')
def toy_coco(tmp_path_factory):
    return make_toy_coco(tmp_path_factory.mktemp('toy_coco'), num_train=8,
                         num_val=4, seed=0)


def write_fast_toy_config(path, base, toy_coco, settings):
    """Write at PATH a config inheriting BASE on the toy set TOY_COCO: 2
    iterations an epoch, no dataloader workers, every detection kept so
    that a barely trained model gets COCO metrics, then SETTINGS."""
    path.write_text(f'''
_base_ = {str(base)!r}
data_root = {str(toy_coco) + '/'!r}
model = dict(test_cfg=dict(score_thr=0.0))
loader = dict(batch_size=4, num_workers=0, persistent_workers=False)
train_dataloader = dict(**loader, dataset=dict(data_root=data_root))
val_dataloader = dict(**loader, dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val2017.json')
test_evaluator = val_evaluator
{settings}
''')
    return path


@pytest.fixture(scope='session')
def fast_toy_config(toy_coco, tmp_path_factory):
    """The toy RetinaNet config on the session's toy set (see
    ``write_fast_toy_config``): 2 epochs, a checkpoint every epoch."""
    return write_fast_toy_config(
        tmp_path_factory.mktemp('configs') / 'fast_toy.py', TOY_CONFIG,
        toy_coco, 'train_cfg = dict(max_epochs=2, val_interval=2)\n'
        'default_hooks = dict(logger=dict(interval=1), '
        'checkpoint=dict(interval=1))')


@pytest.fixture(scope='session')
def resume_config(toy_coco, tmp_path_factory):
    """Toy RetinaNet, 3 epochs of 2 iterations, dataloader workers and
    random flips, a checkpoint every 3 iterations: iteration 3 is in the
    middle of the second epoch."""
    path = tmp_path_factory.mktemp('configs') / 'resume_toy.py'
    path.write_text(f'''
_base_ = {str(TOY_CONFIG)!r}
data_root = {str(toy_coco) + '/'!r}
train_dataloader = dict(batch_size=4, num_workers=2, persistent_workers=True,
                        dataset=dict(data_root=data_root))
val_dataloader = dict(batch_size=4, num_workers=0, persistent_workers=False,
                      dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val2017.json')
test_evaluator = val_evaluator
train_cfg = dict(max_epochs=3, val_interval=1)
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(by_epoch=False, interval=3))
''')
    return path


@pytest.fixture(scope='session')
def uninterrupted(resume_config, tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('uninterrupted')
    run_tool('tools/train.py', resume_config, '--work-dir', work_dir)
    return work_dir


def weights(path):
    return torch.load(path, map_location='cpu', weights_only=True)['state_dict']


def max_weight_difference(path, other):
    ours, theirs = weights(path), weights(other)
    assert ours.keys() == theirs.keys()
    return max((ours[k].double() - theirs[k].double()).abs().max().item()
               for k in ours)


def assert_one_message(result, *named):
    """Exit status 1, no traceback, a last line ``error: ...`` naming each
    of ``named``."""
    assert result.returncode == 1, result.stdout[-3000:]
    assert 'Traceback' not in result.stdout, result.stdout[-3000:]
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith('error: ')
    for name in named:
        assert str(name) in last, last
    return last


def run_tool(*argv, check=True):
    """Run ``python3 ARGV`` from the repo root; return the completed process
    with stdout and stderr merged."""
    # One thread: on a small shared CI box more threads slow training down.
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'PYTHONPATH': str(REPO_ROOT)}
    result = subprocess.run([sys.executable, *map(str, argv)], cwd=REPO_ROOT,
                            env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, timeout=300)
    if check and result.returncode != 0:
        pytest.fail(f'{argv} failed:\n{result.stdout[-5000:]}')
    return result


def run_dist_train(config, work_dir, *cfg_options, resume=False):
    """``bash tools/dist_train.sh CONFIG 2`` (with ``--resume`` if asked):
    two processes over torchrun on this machine; return the completed
    process, outputs merged."""
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'PORT': str(free_port())}
    result = subprocess.run(
        ['bash', 'tools/dist_train.sh', str(config), '2', '--work-dir',
         str(work_dir), *(['--resume'] if resume else []), '--cfg-options',
         *cfg_options],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-5000:]
    return result
