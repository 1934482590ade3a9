"""MIT's released whole models, loaded into mmseg's models as they are.

MIT's EfficientViT-Seg files keep their segmentation head under ``head.*``;
mmseg calls it ``decode_head``. A module only sees the keys under its own
prefix when a state dict is loaded, so no hook of the head can rename them:
the family table registers :func:`adapt_model_state_dict` with the runtime
(``evit_dense.runtime.state_dict_adapters``), which applies it where every
whole-model checkpoint enters a model.
"""
from .backbone import EfficientViTMIT
from .checkpoint import convert_model_state_dict, is_mit_seg_head
from .seg_head import EfficientViTMITSegHead


def adapt_model_state_dict(model, state_dict):
    """``state_dict`` made loadable into ``model``, a whole detector or
    segmentor, where it is one of MIT's released files: a segmentation
    file's ``head.*`` renamed for an :class:`EfficientViTMITSegHead`
    ``decode_head``; a classification file given as a whole model is an
    error. Anything else is returned unchanged."""
    if hasattr(model, 'head') or not any(k.startswith('head.')
                                         for k in state_dict):
        return state_dict
    if (is_mit_seg_head(state_dict)
            and isinstance(getattr(model, 'decode_head', None),
                           EfficientViTMITSegHead)):
        return convert_model_state_dict(state_dict)[0]
    if (isinstance(getattr(model, 'backbone', None), EfficientViTMIT)
            and not is_mit_seg_head(state_dict)):
        convert_model_state_dict(state_dict)  # raises for a classifier
    return state_dict
