"""tools/dist_train.sh: two processes on this machine over torchrun."""
import os
import subprocess

import torch

from tests.conftest import REPO_ROOT
from tests.engine.test_compat import free_port


def test_two_process_gloo_training_completes(fast_toy_config, tmp_path):
    work_dir = tmp_path / 'work'
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'PORT': str(free_port())}
    # 8 images / (2 processes x batches of 2) = 2 iterations an epoch; one
    # process alone would take 4.
    result = subprocess.run(
        ['bash', 'tools/dist_train.sh', str(fast_toy_config), '2',
         '--work-dir', str(work_dir), '--cfg-options',
         'train_cfg.max_epochs=1', 'train_dataloader.batch_size=2'],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-5000:]
    assert 'Distributed training: True' in result.stdout
    if not torch.cuda.is_available():
        assert 'using the gloo backend instead of nccl' in result.stdout
    checkpoint = torch.load(work_dir / 'epoch_1.pth', weights_only=True)
    assert checkpoint['meta']['iter'] == 2
