import os
import socket

import pytest
import torch
import torch.nn as nn
from mmengine.dist import init_dist
from mmengine.model import MMDistributedDataParallel

import evit_dense  # noqa: F401  applies the fixes


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(torch.cuda.is_available(),
                    reason='the fix only acts without CUDA')
def test_pytorch_launcher_and_ddp_work_without_cuda(monkeypatch):
    for key, value in dict(RANK='0', LOCAL_RANK='0', WORLD_SIZE='1',
                           MASTER_ADDR='127.0.0.1',
                           MASTER_PORT=str(free_port())).items():
        monkeypatch.setenv(key, value)
    # What Runner.setup_env does with the default env_cfg.
    init_dist('pytorch', backend='nccl')
    try:
        assert torch.distributed.get_backend() == 'gloo'
        # What Runner.wrap_model does.
        model = MMDistributedDataParallel(module=nn.Linear(2, 1),
                                          device_ids=[0])
        assert model.device_ids is None
        model(torch.ones(3, 2)).sum().backward()
        assert model.module.weight.grad is not None
        # mmseg's heads use SyncBN, which only runs on GPUs
        model = MMDistributedDataParallel(
            module=nn.Sequential(nn.Conv2d(3, 4, 1), nn.SyncBatchNorm(4)),
            device_ids=[0])
        assert not any(isinstance(m, nn.SyncBatchNorm)
                       for m in model.modules())
        model(torch.rand(2, 3, 4, 4)).sum().backward()
        assert model.module[1].weight.grad is not None
    finally:
        torch.distributed.destroy_process_group()


@pytest.mark.skipif(torch.cuda.is_available(),
                    reason='the fix only acts without CUDA')
def test_slurm_launcher_works_without_cuda(monkeypatch):
    for key, value in dict(SLURM_PROCID='0', SLURM_NTASKS='1',
                           SLURM_NODELIST='node-1', MASTER_ADDR='127.0.0.1',
                           MASTER_PORT=str(free_port())).items():
        monkeypatch.setenv(key, value)
    for key in ('SLURM_LOCALID', 'RANK', 'WORLD_SIZE', 'LOCAL_RANK'):
        monkeypatch.delenv(key, raising=False)
    init_dist('slurm', backend='nccl')
    try:
        assert torch.distributed.get_backend() == 'gloo'
        assert torch.distributed.get_world_size() == 1
        assert os.environ['LOCAL_RANK'] == '0'
    finally:
        torch.distributed.destroy_process_group()
