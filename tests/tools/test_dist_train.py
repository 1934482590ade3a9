"""tools/dist_train.sh: two processes on this machine over torchrun."""
import torch

from .conftest import run_dist_train


def test_two_process_gloo_training_completes(fast_toy_config, tmp_path):
    work_dir = tmp_path / 'work'
    # 8 images / (2 processes x batches of 2) = 2 iterations an epoch; one
    # process alone would take 4.
    result = run_dist_train(fast_toy_config, work_dir,
                            'train_cfg.max_epochs=1',
                            'train_dataloader.batch_size=2')
    assert 'Distributed training: True' in result.stdout
    if not torch.cuda.is_available():
        assert 'using the gloo backend instead of nccl' in result.stdout
    checkpoint = torch.load(work_dir / 'epoch_1.pth', weights_only=True)
    assert checkpoint['meta']['iter'] == 2
