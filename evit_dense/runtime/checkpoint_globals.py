"""MMEngine's checkpoints loaded with ``weights_only`` (written for torch 2.6
to 2.13, MMEngine 0.10.7, numpy 1.x).

Since torch 2.6 ``torch.load`` defaults to ``weights_only=True``, which only
rebuilds allow-listed globals; ``checkpoint_io``'s loader asks for it
explicitly. MMEngine's checkpoints carry its ``MessageHub`` state:
``HistoryBuffer`` objects of numpy arrays, numpy scalars, and the buffer's
statistic methods pickled as ``getattr(HistoryBuffer, 'mean')``. Without them
``--resume`` and ``tools/test.py CHECKPOINT`` fail. We allow-list exactly
those globals (found by loading real checkpoints) instead of turning
``weights_only`` off, which would let a checkpoint run arbitrary code.

An extension point, not a patch: torch's own allow-list
(``torch.serialization.add_safe_globals``). Skipped where MMEngine already
allow-lists its ``HistoryBuffer``.
"""
import pickle

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from numpy.core.multiarray import _reconstruct, scalar

from .fix import Fix

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


def _mmengine_allow_lists_its_globals():
    return HistoryBuffer in torch.serialization.get_safe_globals()


FIX = Fix(
    name='checkpoint_globals',
    apply=allow_mmengine_checkpoint_globals,
    written_for={'torch': ('2.6', '2.13'), 'mmengine': ('0.10', '0.10'),
                 'numpy': ('1', '1')},
    registers=('torch.serialization.add_safe_globals',),
    upstream_fixed=_mmengine_allow_lists_its_globals)
