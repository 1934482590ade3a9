"""Whole-model checkpoints released in other layouts, loaded as they are
(written for MMEngine 0.10.7).

Some released files name a model's parts otherwise than mmdet and mmseg do
(MIT's EfficientViT-Seg files keep their segmentation head under ``head.*``;
mmseg calls it ``decode_head``). A module only sees the keys under its own
prefix when a state dict is loaded, so no hook of the renamed part can fix
them: the renaming happens where every whole-model checkpoint enters a
model, MMEngine's ``load_state_dict`` (``load_from``, ``--resume``, our and
mmseg's ``tools/test.py``, mmseg's ``init_model``, mmdeploy). It calls each
adapter registered with :func:`register_state_dict_adapter`, in the order
registered; the families register theirs (``evit_dense.models.families``),
so this module knows no model family. Checkpoints no adapter claims pass
unchanged.

A patch: MMEngine's ``load_state_dict`` is a plain function every loading
path calls, with no registry; a Runner hook (``after_load_checkpoint``)
would miss ``init_model`` and mmdeploy, which build no Runner.
"""
import functools

import mmengine.runner.checkpoint as mmengine_checkpoint
from mmengine.model import is_model_wrapper

from .fix import Fix

# fn(model, state_dict) -> state_dict, called in this order.
_ADAPTERS = []


def register_state_dict_adapter(adapt):
    """Have every whole-model load pass its state dict through
    ``adapt(model, state_dict) -> state_dict`` (``model`` unwrapped from
    DDP); ``adapt`` returns what it does not recognise unchanged. Registering
    the same function again changes nothing. Returns ``adapt``."""
    if adapt not in _ADAPTERS:
        _ADAPTERS.append(adapt)
    return adapt


def adapt_state_dict_on_load():
    """Make MMEngine's ``load_state_dict`` pass state dicts through the
    registered adapters (idempotent)."""
    load_state_dict = mmengine_checkpoint.load_state_dict
    if getattr(load_state_dict, 'evit_dense_patched', False):
        return

    @functools.wraps(load_state_dict)
    def load_adapted_state_dict(module, state_dict, *args, **kwargs):
        model = module.module if is_model_wrapper(module) else module
        for adapt in _ADAPTERS:
            state_dict = adapt(model, state_dict)
        return load_state_dict(module, state_dict, *args, **kwargs)

    load_adapted_state_dict.evit_dense_patched = True
    mmengine_checkpoint.load_state_dict = load_adapted_state_dict


FIX = Fix(
    name='state_dict_adapters',
    apply=adapt_state_dict_on_load,
    written_for={'mmengine': ('0.10', '0.10')},
    replaces=('mmengine.runner.checkpoint.load_state_dict',))
