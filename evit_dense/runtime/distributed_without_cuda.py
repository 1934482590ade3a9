"""MMEngine's distributed training on a machine without CUDA (written for
torch 2.0 to 2.13, MMEngine 0.10.7).

MMEngine's ``pytorch`` and ``slurm`` launchers call ``torch.cuda.set_device``
and default to NCCL, and its Runner gives ``MMDistributedDataParallel``
``device_ids=[LOCAL_RANK]``; all three fail on a CPU-only torch. When CUDA
is unavailable we skip ``set_device``, use gloo in place of NCCL and drop
``device_ids`` (torch's DDP wants None for CPU modules). SyncBatchNorm
(mmseg's heads use it) only runs on GPUs, so without CUDA the DDP wrapper
reverts it to BatchNorm, with a warning: statistics are then per process, as
in MMEngine's single-process runs. Each patched function checks at call time
and changes nothing when CUDA is available.

A patch: ``init_dist`` picks its launcher function by name, with no
registry; the DDP wrapper is a registered type (``model_wrapper_cfg``), but
mmdet's and mmseg's configs leave it to the default, so a new type would
hold only for configs that name it.
"""
import atexit
import functools
import logging
import os
import subprocess

import mmengine.dist.utils as mmengine_dist_utils
import torch
import torch.distributed as torch_dist
from mmengine.logging import print_log
from mmengine.model import MMDistributedDataParallel, revert_sync_batchnorm

from .fix import Fix


def _init_dist_pytorch_without_cuda(backend, init_backend='torch', **kwargs):
    """MMEngine's ``_init_dist_pytorch`` for a machine without CUDA."""
    if init_backend != 'torch':
        raise ValueError(f'init_backend={init_backend!r} needs CUDA; without '
                         f"it only init_backend='torch' works")
    if backend == 'nccl':
        print_log('CUDA is unavailable: using the gloo backend instead of '
                  'nccl', logger='current', level=logging.WARNING)
        backend = 'gloo'
    torch_dist.init_process_group(backend=backend, **kwargs)
    # MMEngine never destroys the group; a gloo group left to C++ static
    # destruction can abort the process after training has finished.
    atexit.register(_destroy_process_group)


def _destroy_process_group():
    if torch_dist.is_initialized():
        # Every rank tears down together: a rank that destroys its gloo group
        # while a peer still talks to it can abort ("terminate called").
        torch_dist.barrier()
        torch_dist.destroy_process_group()


def _revert_sync_batchnorm_without_cuda(module):
    # torch's and mmcv's classes share the name; both are reverted
    if not any(type(m).__name__ == 'SyncBatchNorm' for m in module.modules()):
        return module
    print_log('CUDA is unavailable: SyncBatchNorm layers are reverted to '
              'BatchNorm, with statistics per process', logger='current',
              level=logging.WARNING)
    return revert_sync_batchnorm(module)


def _init_dist_slurm_without_cuda(backend, port=None, init_backend='torch',
                                  **kwargs):
    """MMEngine's ``_init_dist_slurm`` for a machine without CUDA: the same
    environment from SLURM's variables, then a CPU process group."""
    if 'MASTER_ADDR' not in os.environ:
        node_list = os.environ['SLURM_NODELIST']
        os.environ['MASTER_ADDR'] = subprocess.getoutput(
            f'scontrol show hostname {node_list} | head -n1')
    if port is not None:
        os.environ['MASTER_PORT'] = str(port)
    os.environ.setdefault('MASTER_PORT', '29500')
    os.environ['WORLD_SIZE'] = os.environ['SLURM_NTASKS']
    os.environ['RANK'] = os.environ['SLURM_PROCID']
    os.environ['LOCAL_RANK'] = os.environ.get('SLURM_LOCALID', '0')
    _init_dist_pytorch_without_cuda(backend, init_backend, **kwargs)


def _on_cpu_use(without_cuda, launcher_init):
    """``launcher_init`` where CUDA is available, else ``without_cuda``."""

    @functools.wraps(launcher_init)
    def init_any_device(*args, **kwargs):
        if torch.cuda.is_available():
            return launcher_init(*args, **kwargs)
        return without_cuda(*args, **kwargs)

    init_any_device.evit_dense_patched = True
    return init_any_device


def enable_distributed_without_cuda():
    """Make MMEngine's ``pytorch`` and ``slurm`` launchers and its DDP
    wrapper work without CUDA; each patched function checks at call time and
    changes nothing when CUDA is available."""
    if getattr(mmengine_dist_utils._init_dist_pytorch, 'evit_dense_patched',
               False):
        return

    ddp_init = MMDistributedDataParallel.__init__

    @functools.wraps(ddp_init)
    def ddp_init_any_device(self, module, *args, **kwargs):
        if not torch.cuda.is_available():
            kwargs.pop('device_ids', None)
            module = _revert_sync_batchnorm_without_cuda(module)
        ddp_init(self, module, *args, **kwargs)

    mmengine_dist_utils._init_dist_pytorch = _on_cpu_use(
        _init_dist_pytorch_without_cuda, mmengine_dist_utils._init_dist_pytorch)
    mmengine_dist_utils._init_dist_slurm = _on_cpu_use(
        _init_dist_slurm_without_cuda, mmengine_dist_utils._init_dist_slurm)
    MMDistributedDataParallel.__init__ = ddp_init_any_device


FIX = Fix(
    name='distributed_without_cuda',
    apply=enable_distributed_without_cuda,
    written_for={'torch': ('2.0', '2.13'), 'mmengine': ('0.10', '0.10')},
    replaces=('mmengine.dist.utils._init_dist_pytorch',
              'mmengine.dist.utils._init_dist_slurm',
              'mmengine.model.MMDistributedDataParallel.__init__'))
