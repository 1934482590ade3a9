"""Checkpoint formats of MIT's EfficientViT and their conversion.

Formats recognised from their keys:

* ``mit``: mit-han-lab/efficientvit files. Classification
  (``efficientvit_b1_r224.pt``: ``backbone.*`` and a classifier ``head.*``)
  and segmentation (``efficientvit_seg_b1_ade20k.pt``: ``backbone.*`` and a
  ``SegHead`` as ``head.*``), under ``state_dict`` or bare. Their B backbones
  are ``input_stem`` + ``stages.0..3``, their L backbones ``stages.0..4``.
* ``timm``: timm's ``efficientvit_b*``/``efficientvit_l*`` state dicts
  (``stem.in_conv.*``, ``stages.0.blocks.*``), whose names are also this
  package's own.

The conversions are pure functions from state dict to state dict; the
backbone's load hook, ``convert_model_state_dict`` (whole segmentors, used
on every checkpoint that enters a model, see ``released_models.py``) and
``tools/convert_checkpoint.py`` use them.
"""
import re

from ..common.checkpoint import (CheckpointMismatchError, backbone_part,
                                 unwrap_state_dict)

_MIT_B_STEM = re.compile(r'^input_stem\.op_list\.(\d+)\.(.*)$')
_MIT_STAGE = re.compile(r'^stages\.(\d+)\.op_list\.(\d+)\.(.*)$')
_MIT_HEAD_INPUT = re.compile(r'^input_ops\.(\d+)\.(?:op_list\.0\.)?(.*)$')
_MIT_HEAD_MIDDLE = re.compile(r'^middle\.op_list\.(\d+)\.(.*)$')
_MIT_HEAD_OUTPUT = re.compile(r'^output_ops\.0\.op_list\.(\d+)\.(.*)$')
# MIT's stem (B: input_stem, L: stage 0), or timm's and ours.
_OWN_KEY = re.compile(r'^(input_stem\.|stem\.in_conv\.|stages\.\d+\.op_list\.)')


def owns(state_dict):
    """Whether a backbone state dict holds this family's keys."""
    return any(_OWN_KEY.match(k) for k in state_dict)


def detect_format(state_dict):
    """'mit' or 'timm' from a backbone state dict's key names; None if
    neither."""
    keys = list(state_dict)
    if any(k.startswith('input_stem.') or _MIT_STAGE.match(k) for k in keys):
        return 'mit'
    if any(k.startswith('stem.in_conv.') for k in keys):
        return 'timm'
    return None


def _mit_stem_key(index, rest):
    return f'stem.in_conv.{rest}' if index == 0 else f'stem.res{index - 1}.{rest}'


def convert_mit_backbone_key(key, large):
    """Map one key of MIT's B (``large=False``) or L backbone to ours."""
    stem = _MIT_B_STEM.match(key)
    if stem:
        return _mit_stem_key(int(stem.group(1)), stem.group(2))
    stage = _MIT_STAGE.match(key)
    if not stage:
        return key
    index, block, rest = int(stage.group(1)), int(stage.group(2)), stage.group(3)
    if large:  # MIT's L stage 0 is the stem
        if index == 0:
            return _mit_stem_key(block, rest)
        index -= 1
    return f'stages.{index}.blocks.{block}.{rest}'


def convert_backbone_state_dict(checkpoint):
    """Return ``(state_dict, format)`` with this package's backbone keys.

    Accepts a whole checkpoint or a state dict in any recognised format; a
    classification, segmentation or detection checkpoint contributes its
    ``backbone.`` part. Raises :class:`CheckpointMismatchError` otherwise.
    """
    state_dict = unwrap_state_dict(checkpoint)
    if not isinstance(state_dict, dict):
        raise CheckpointMismatchError('The checkpoint holds no state dict.')
    state_dict = {k: v for k, v in backbone_part(state_dict).items()
                  if not k.startswith('head.')}
    if not state_dict:
        raise CheckpointMismatchError(
            'The checkpoint has no backbone weights for this '
            'EfficientViTMIT. A backbone-only (e.g. ImageNet classification) '
            "checkpoint goes into the backbone's init_cfg=dict(type="
            "'Pretrained', checkpoint=...), not load_from or a whole-model "
            'checkpoint argument.')
    fmt = detect_format(state_dict)
    if fmt is None:
        raise CheckpointMismatchError(
            "Not a checkpoint of MIT's EfficientViT: none of its keys are "
            "MIT's (input_stem.*, stages.N.op_list.*) or timm/evit_dense "
            f'(stem.in_conv.*); first keys: {list(state_dict)[:5]}')
    if fmt == 'mit':
        large = not any(k.startswith('input_stem.') for k in state_dict)
        state_dict = {convert_mit_backbone_key(k, large): v
                      for k, v in state_dict.items()}
    return state_dict, fmt


def convert_seg_head_key(key, num_inputs, has_expand_conv):
    """Map one key of MIT's ``SegHead`` (without ``head.``) to
    :class:`EfficientViTMITSegHead`'s names. MIT lists the inputs from the
    coarsest; the head takes them in the backbone's order."""
    match = _MIT_HEAD_INPUT.match(key)
    if match:
        return f'lateral_convs.{num_inputs - 1 - int(match.group(1))}.{match.group(2)}'
    match = _MIT_HEAD_MIDDLE.match(key)
    if match:
        return f'blocks.{match.group(1)}.{match.group(2)}'
    match = _MIT_HEAD_OUTPUT.match(key)
    if match:
        index, rest = int(match.group(1)), match.group(2)
        if has_expand_conv and index == 0:
            return f'expand_conv.{rest}'
        return f'conv_seg.{rest[len("conv."):]}'
    return key


def is_mit_seg_head(state_dict, prefix='head.'):
    return any(k.startswith(prefix + 'input_ops.') for k in state_dict)


def convert_seg_head_state_dict(head_state):
    """MIT ``SegHead`` weights (keys without ``head.``) in our head's names."""
    num_inputs = len({k.split('.')[1] for k in head_state
                      if k.startswith('input_ops.')})
    has_expand_conv = any(k.startswith('output_ops.0.op_list.1.')
                          for k in head_state)
    return {convert_seg_head_key(k, num_inputs, has_expand_conv): v
            for k, v in head_state.items()}


def is_whole_model(state_dict):
    """Whether ``state_dict`` is a whole detector's or segmentor's. MIT's
    ImageNet files also keep their backbone under ``backbone.``: a
    classifier head makes them a backbone, not a whole model."""
    return any(k.startswith('backbone.') for k in state_dict) and not (
        any(k.startswith('head.') for k in state_dict)
        and not is_mit_seg_head(state_dict))


def convert_model_state_dict(checkpoint, decode_head_prefix='decode_head.'):
    """Return ``(state_dict, format)`` of a whole MIT segmentation model with
    mmseg's names: ``backbone.*`` converted, MIT's ``head.*`` as
    ``decode_head.*``. evit_dense checkpoints pass through."""
    state_dict = unwrap_state_dict(checkpoint)
    if not isinstance(state_dict, dict) or not any(
            k.startswith('backbone.') for k in state_dict):
        raise CheckpointMismatchError(
            'Not a whole-model checkpoint: it has no backbone.* keys.')
    backbone, fmt = convert_backbone_state_dict(state_dict)
    others = {k: v for k, v in state_dict.items()
              if not k.startswith('backbone.')}
    if is_mit_seg_head(others):
        head = convert_seg_head_state_dict(
            {k[len('head.'):]: v for k, v in others.items()
             if k.startswith('head.')})
        others = {**{k: v for k, v in others.items()
                     if not k.startswith('head.')},
                  **{decode_head_prefix + k: v for k, v in head.items()}}
    elif any(k.startswith('head.') for k in others):
        raise CheckpointMismatchError(
            "This is an ImageNet classification checkpoint of MIT's "
            'EfficientViT (its head.* is a classifier), not a whole '
            "segmentation or detection model: give it to the backbone's "
            "init_cfg=dict(type='Pretrained', checkpoint=...) instead.")
    return {**{f'backbone.{k}': v for k, v in backbone.items()}, **others}, fmt
