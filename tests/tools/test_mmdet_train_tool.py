"""Our configs under mmdet's own tools/train.py, which knows nothing of
evit_dense: the config's custom_imports must bring in the models and the
MMEngine fixes (resuming under torch's weights_only loading, exact resume,
one-message errors)."""
import os
import subprocess
import sys
from pathlib import Path

import mmdet
import torch

from tests.tools.conftest import assert_one_message, max_weight_difference

# mmdet's wheel ships its tools for `mim train mmdet CONFIG`.
MMDET_TRAIN = Path(mmdet.__file__).parent / '.mim' / 'tools' / 'train.py'


def mmdet_train(cwd, *argv, check=True):
    # Run away from the repo root: only the installed package is found.
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    env.pop('PYTHONPATH', None)
    result = subprocess.run(
        [sys.executable, str(MMDET_TRAIN), *map(str, argv)], cwd=cwd,
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=300)
    if check:
        assert result.returncode == 0, result.stdout[-5000:]
    return result


def test_mmdet_train_tool_trains_and_resumes_our_config(fast_toy_config,
                                                        tmp_path):
    assert 'evit_dense' not in MMDET_TRAIN.read_text()
    work_dir = tmp_path / 'work'
    mmdet_train(tmp_path, fast_toy_config, '--work-dir', work_dir,
                '--cfg-options', 'train_cfg.max_epochs=1')
    log = mmdet_train(tmp_path, fast_toy_config, '--work-dir', work_dir,
                      '--resume').stdout
    assert 'resumed epoch: 1, iter: 2' in log
    final = torch.load(work_dir / 'epoch_2.pth', weights_only=True)
    assert final['meta']['iter'] == 4


def test_mmdet_train_tool_resumes_exactly(resume_config, uninterrupted,
                                          tmp_path):
    os.link(uninterrupted / 'iter_3.pth', tmp_path / 'iter_3.pth')
    mmdet_train(tmp_path, resume_config, '--work-dir', tmp_path, '--resume')
    assert max_weight_difference(tmp_path / 'iter_6.pth',
                                 uninterrupted / 'iter_6.pth') == 0


def test_mmdet_train_tool_names_a_missing_annotation_file(resume_config,
                                                          tmp_path):
    missing = tmp_path / 'none.json'
    result = mmdet_train(tmp_path, resume_config, '--work-dir', tmp_path,
                         '--cfg-options',
                         f'train_dataloader.dataset.ann_file={missing}',
                         check=False)
    assert assert_one_message(result, missing) == (
        f'error: annotation file "{missing}" does not exist')
