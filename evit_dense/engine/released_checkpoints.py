"""Whole-model checkpoints released in other layouts, loaded as they are.

MIT's EfficientViT-Seg files keep their segmentation head under ``head.*``;
mmseg calls it ``decode_head``. A module only sees the keys under its own
prefix when a state dict is loaded, so no hook of the head can rename them:
the renaming happens where every whole-model checkpoint enters a model,
MMEngine's ``load_state_dict`` (``load_from``, ``--resume``, our and
mmseg's ``tools/test.py``, mmseg's ``init_model``, mmdeploy). Applied when
``evit_dense`` is imported; other checkpoints pass unchanged.
"""
import functools

import mmengine.runner.checkpoint as mmengine_checkpoint
from mmengine.model import is_model_wrapper


def convert_released_checkpoints_on_load():
    """Make MMEngine's ``load_state_dict`` adapt released whole-model
    layouts to the model they are loaded into (idempotent)."""
    load_state_dict = mmengine_checkpoint.load_state_dict
    if getattr(load_state_dict, 'evit_dense_patched', False):
        return

    @functools.wraps(load_state_dict)
    def load_adapted_state_dict(module, state_dict, *args, **kwargs):
        from ..models.efficientvit_mit.checkpoint import \
            adapt_model_state_dict
        model = module.module if is_model_wrapper(module) else module
        return load_state_dict(module, adapt_model_state_dict(model, state_dict),
                               *args, **kwargs)

    load_adapted_state_dict.evit_dense_patched = True
    mmengine_checkpoint.load_state_dict = load_adapted_state_dict
