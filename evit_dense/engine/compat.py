"""Fixes that let MMEngine 0.10.7 run on this project's torch.

They are applied when ``evit_dense`` is imported, so they also take effect
when mmdet's or mmseg's own ``tools/train.py`` loads one of our configs (its
``custom_imports`` imports the package before the Runner is built).

1. Loading checkpoints. Since torch 2.6 ``torch.load`` defaults to
   ``weights_only=True``, which only rebuilds allow-listed globals. MMEngine's
   checkpoints carry its ``MessageHub`` state: ``HistoryBuffer`` objects of
   numpy arrays, numpy scalars, and the buffer's statistic methods pickled as
   ``getattr(HistoryBuffer, 'mean')``. Without them ``--resume`` and
   ``tools/test.py CHECKPOINT`` fail. We allow-list exactly those globals
   (found by loading real checkpoints) instead of turning ``weights_only``
   off, which would let a checkpoint run arbitrary code.
2. Distributed training without CUDA. MMEngine's ``pytorch`` and ``slurm``
   launchers call ``torch.cuda.set_device`` and default to NCCL, and its
   Runner gives ``MMDistributedDataParallel`` ``device_ids=[LOCAL_RANK]``;
   all three fail on a CPU-only torch. When CUDA is unavailable we skip
   ``set_device``, use gloo in place of NCCL and drop ``device_ids`` (torch's
   DDP wants None for CPU modules). SyncBatchNorm (mmseg's heads use it)
   only runs on GPUs, so without CUDA the DDP wrapper reverts it to
   BatchNorm, with a warning: statistics are then per process, as in
   MMEngine's single-process runs. With CUDA nothing changes.
"""
import atexit
import functools
import logging
import os
import pickle
import subprocess

import mmengine.dist.utils as mmengine_dist_utils
import numpy as np
import torch
import torch.distributed as torch_dist
from mmengine.logging import HistoryBuffer, print_log
from mmengine.model import MMDistributedDataParallel, revert_sync_batchnorm
from numpy.core.multiarray import _reconstruct, scalar

# Numeric dtypes of numpy arrays and scalars in MMEngine's logs (float64
# values, int64 counts; 32-bit on platforms whose default int is 32-bit).
LOGGED_NUMPY_TYPES = (np.float64, np.float32, np.int64, np.int32)
# What HistoryBuffer._set_default_statistics registers.
HISTORY_BUFFER_STATISTICS = ('min', 'max', 'current', 'mean')


def _history_buffer_method(owner, name):
    """``getattr`` restricted to the statistic methods a pickled
    ``HistoryBuffer`` refers to; anything else fails to load."""
    if owner is not HistoryBuffer or name not in HISTORY_BUFFER_STATISTICS:
        raise pickle.UnpicklingError(
            f'refusing getattr({owner!r}, {name!r}) in a weights_only load: '
            f'only HistoryBuffer statistic methods are allowed')
    return getattr(owner, name)


def allow_mmengine_checkpoint_globals():
    """Allow-list what MMEngine checkpoints need for ``weights_only`` loads."""
    torch.serialization.add_safe_globals([
        HistoryBuffer,
        (_history_buffer_method, 'builtins.getattr'),
        np.ndarray,
        _reconstruct,
        scalar,
        np.dtype,
        *(type(np.dtype(t)) for t in LOGGED_NUMPY_TYPES),
    ])


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
