import os
import pickle
import socket

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.dist import init_dist
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.model import MMDistributedDataParallel

import evit_dense  # noqa: F401  applies the fixes


def message_hub_state():
    """What MMEngine's Runner saves as ``message_hub`` in a checkpoint."""
    hub = MessageHub('test_compat')
    for loss in (1.5, 1.25):
        hub.update_scalar('train/loss', loss)
    hub.update_scalar('train/grad_norm', np.float32(3.5))
    hub.update_info('eta', np.float64(12.5))
    hub.update_info('iter', 2)
    return hub.state_dict()


def test_mmengine_checkpoint_state_loads_with_weights_only(tmp_path):
    path = tmp_path / 'checkpoint.pth'
    state = message_hub_state()
    torch.save({'message_hub': state, 'meta': {'epoch': np.int64(1)}}, path)

    loaded = torch.load(path, weights_only=True)

    buffer = loaded['message_hub']['log_scalars']['train/loss']
    assert isinstance(buffer, HistoryBuffer)
    assert buffer.mean() == 1.375 and buffer.current() == 1.25
    assert loaded['message_hub']['log_scalars']['train/grad_norm'].max() == 3.5
    assert loaded['message_hub']['runtime_info']['eta'] == np.float64(12.5)
    assert loaded['meta']['epoch'] == 1


def test_weights_only_still_refuses_other_globals(tmp_path):
    # Pickled as getattr(HistoryBuffer, 'update'): only the statistic
    # methods may come back through getattr.
    path = tmp_path / 'method.pth'
    torch.save({'method': HistoryBuffer.update}, path)
    with pytest.raises(pickle.UnpicklingError, match='refusing getattr'):
        torch.load(path, weights_only=True)
    # And an arbitrary class stays forbidden.
    torch.save({'hub': MessageHub('refused')}, path)
    with pytest.raises(pickle.UnpicklingError, match='MessageHub'):
        torch.load(path, weights_only=True)


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
