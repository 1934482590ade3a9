"""Everything ``import evit_dense`` changes in torch, MMEngine, mmdet, mmcv
and mmdeploy: one module per fix, applied here, in one order.

Applied on import so that the fixes also hold when mmdet's, mmseg's or
mmdeploy's own tools load one of our configs (their ``custom_imports``
import the package before the Runner is built). Each module's docstring
says what it replaces, the versions it was written for, why, and why a
patch where it is one; its ``FIX`` (:class:`~.fix.Fix`) holds the same as
data, which :func:`apply_fixes` checks: outside the versions a fix was
written for it logs one warning line and applies the fix all the same;
where upstream no longer has the problem it skips the fix.

The order, ``FIXES``:

1. ``checkpoint_globals``: torch's ``weights_only`` allow-list.
2. ``distributed_without_cuda``: MMEngine's launchers and DDP wrapper.
3. ``state_dict_adapters``: MMEngine's ``load_state_dict``.
4. ``checkpoint_io``: MMEngine's local writes, ``CheckpointHook`` and
   local checkpoint loader.
5. ``exact_resume``: datasets' ``__getitem__``, ``Runner.build_dataloader``,
   ``Runner.save_checkpoint``, ``Runner.resume``.
6. ``finite_loss``: ``BaseModel.parse_losses``.
7. ``mmdeploy_export``: ``torch.onnx.export`` for mmdeploy.
8. ``mmdeploy_rpn``: mmdeploy's RPN rewrite, once mmdeploy is imported.
9. ``user_errors``: ``sys.excepthook``.
10. ``data_checks``: COCO, image and label-map loading,
    ``BaseDataset.prepare_data``, ``Runner.build_dataloader``.

Only one attribute is replaced twice, ``Runner.build_dataloader``, and that
is why ``data_checks`` comes after ``exact_resume``: its wrapper is the
outer one, so it takes our own setting ``skip_unreadable_images`` out of
the dataloader config before ``exact_resume`` adds its batch sampler and
MMEngine builds the loader, then marks the datasets of the loader built.
(``BaseDataset`` is changed by both as well, but in two methods:
``exact_resume`` seeds ``__getitem__``, ``data_checks`` lets
``prepare_data``, which ``__getitem__`` calls, skip an unreadable image, so
the replacement sample ``__getitem__`` then picks is drawn under the
sample's seed whatever the order.) The other fixes touch disjoint
attributes; they keep the order in which they were written.
"""
import functools
import importlib.metadata
import logging
import re

from . import (checkpoint_globals, checkpoint_io, data_checks,
               distributed_without_cuda, exact_resume, finite_loss,
               mmdeploy_export, mmdeploy_rpn, state_dict_adapters,
               user_errors)
from .fix import Fix
from .state_dict_adapters import register_state_dict_adapter

FIXES = (
    checkpoint_globals.FIX,
    distributed_without_cuda.FIX,
    state_dict_adapters.FIX,
    checkpoint_io.FIX,
    exact_resume.FIX,
    finite_loss.FIX,
    mmdeploy_export.FIX,
    mmdeploy_rpn.FIX,
    user_errors.FIX,
    data_checks.FIX,  # after exact_resume: see the module docstring
)

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=None)
def installed_version(distribution):
    """The installed version of ``distribution`` (a pip name), or None."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _release(version):
    """``(2, 13, 0)`` for ``'2.13.0+cpu'``."""
    return tuple(int(part) for part in
                 re.match(r'\d+(\.\d+)*', version).group().split('.'))


def within(version, oldest, newest):
    """Whether ``version`` is between ``oldest`` and ``newest``, inclusive,
    each compared on as many parts as it names (``'2.13.1'`` is within
    ``('2.6', '2.13')``)."""
    release, low, high = _release(version), _release(oldest), _release(newest)
    return release[:len(low)] >= low and release[:len(high)] <= high


def apply_fixes(fixes=FIXES):
    """Apply ``fixes`` in order. A fix whose ``upstream_fixed`` says the
    problem is gone is skipped; one applied outside the versions it was
    written for logs a one-line warning per distribution.

    Returns:
        list[str]: The names of the fixes applied.
    """
    applied = []
    for fix in fixes:
        if fix.upstream_fixed is not None and fix.upstream_fixed():
            continue
        for distribution, (oldest, newest) in fix.written_for.items():
            version = installed_version(distribution)
            if version is not None and not within(version, oldest, newest):
                span = oldest if oldest == newest else f'{oldest} to {newest}'
                logger.warning(
                    f'evit_dense: the runtime fix {fix.name} was written for '
                    f'{distribution} {span}, not {version}; it is applied '
                    f'all the same (evit_dense/runtime/{fix.name}.py)')
        fix.apply()
        applied.append(fix.name)
    return applied


APPLIED = apply_fixes()

__all__ = ['APPLIED', 'FIXES', 'Fix', 'apply_fixes', 'installed_version',
           'register_state_dict_adapter', 'within']
