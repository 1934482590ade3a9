"""Checkpoint formats of the cascaded-group-attention EfficientViT (M0-M5)
and their conversion to this package.

Formats recognised from their keys:

* ``official``: microsoft/Cream ImageNet checkpoints (``{'model': ...}``,
  ``blocks1.0.mixer.m.attn.qkvs.0.c.weight``) and, under a ``backbone.``
  prefix, the official mmdet 2.x detection checkpoints.
* ``timm``: timm ``efficientvit_m*`` state dicts
  (``stages.0.blocks.0.mixer.m.attn.qkvs.0.conv.weight``), which are also this
  package's own names.

Renaming is done by pure functions (:func:`convert_backbone_state_dict`,
:func:`convert_model_state_dict`) used by the backbone on every load and by
``tools/convert_checkpoint.py``.
"""
import math
import re

import torch.nn.functional as F

from ..common.checkpoint import (CheckpointMismatchError, backbone_part,
                                 unwrap_state_dict)

# Classification heads and recomputable index buffers have no place here.
_DROPPED = re.compile(r'^(head|head_dist|dist_head)\.|attention_bias_idxs$')
_OFFICIAL_BLOCK = re.compile(r'^blocks(\d+)\.(\d+)\.(.*)$')
_OFFICIAL_STEM = re.compile(r'^patch_embed\.(\d+)\.(.*)$')
# Every M backbone has a patch embedding (official: patch_embed.0..6).
_OWN_KEY = re.compile(r'^(blocks\d+\.|patch_embed\.)')
# The official stage i+1 (i > 0) starts with its downsampling: a sandwich,
# patch merging and another sandwich, then the blocks.
_DOWNSAMPLE_PARTS = ('res1', 'patchmerge', 'res2')


def owns(state_dict):
    """Whether a backbone state dict holds this family's keys."""
    return any(_OWN_KEY.match(k) for k in state_dict)


def detect_format(state_dict):
    """'official' or 'timm' from the key names; None if neither."""
    keys = list(state_dict)
    if any(_OFFICIAL_BLOCK.match(k) for k in keys):
        return 'official'
    if any(k.startswith('stages.0.') or k.startswith('patch_embed.conv1.')
           for k in keys):
        return 'timm'
    return None


def convert_official_key(key):
    """Map one official EfficientViT key to this package's name."""
    key = re.sub(r'\.c\.weight$', '.conv.weight', key)
    stem = _OFFICIAL_STEM.match(key)
    if stem:
        return f'patch_embed.conv{int(stem.group(1)) // 2 + 1}.{stem.group(2)}'
    block = _OFFICIAL_BLOCK.match(key)
    if not block:
        return key
    stage, index, rest = int(block.group(1)) - 1, int(block.group(2)), block.group(3)
    if stage > 0:
        if index < len(_DOWNSAMPLE_PARTS):
            return f'stages.{stage}.downsample.{_DOWNSAMPLE_PARTS[index]}.{rest}'
        index -= len(_DOWNSAMPLE_PARTS)
    return f'stages.{stage}.blocks.{index}.{rest}'


def convert_backbone_state_dict(checkpoint):
    """Return ``(state_dict, format)`` with this package's backbone keys.

    Accepts a whole checkpoint or a state dict in any recognised format; a
    detector checkpoint contributes its ``backbone.`` part. Raises
    :class:`CheckpointMismatchError` for anything else.
    """
    state_dict = unwrap_state_dict(checkpoint)
    if not isinstance(state_dict, dict) or not state_dict:
        raise CheckpointMismatchError('The checkpoint holds no state dict.')
    state_dict = backbone_part(state_dict)
    state_dict = {k: v for k, v in state_dict.items() if not _DROPPED.search(k)}
    fmt = detect_format(state_dict)
    if fmt is None:
        raise CheckpointMismatchError(
            'Not an EfficientViT checkpoint: none of its keys are official '
            '(blocks1.*) or timm/evit_dense (stages.*) EfficientViT keys; '
            f'first keys: {list(state_dict)[:5]}')
    if fmt == 'official':
        state_dict = {convert_official_key(k): v for k, v in state_dict.items()}
    return state_dict, fmt


def is_whole_model(state_dict):
    """Whether ``state_dict`` is a whole detector's or segmentor's."""
    return any(k.startswith('backbone.') for k in state_dict)


def convert_model_state_dict(checkpoint):
    """Return ``(state_dict, format)`` of a whole model (detector, segmentor)
    with its ``backbone.`` keys renamed to this package's names.

    The other modules keep their names: the official neck uses this
    package's names and mmdet's heads are named alike in 2.x and 3.x.
    """
    state_dict = unwrap_state_dict(checkpoint)
    if not isinstance(state_dict, dict) or not any(
            k.startswith('backbone.') for k in state_dict):
        raise CheckpointMismatchError(
            'Not a whole-model checkpoint: it has no backbone.* keys.')
    backbone, fmt = convert_backbone_state_dict(state_dict)
    others = {k: v for k, v in state_dict.items()
              if not k.startswith('backbone.')}
    return {**{f'backbone.{k}': v for k, v in backbone.items()}, **others}, fmt


def resize_attention_biases(state_dict, model_state_dict):
    """Bicubically resize bias tables learned for another window size (the
    ImageNet checkpoints use 4x4 in the last stage), in place."""
    for key, value in state_dict.items():
        target = model_state_dict.get(key)
        if (not key.endswith('attention_biases') or target is None
                or value.shape == target.shape or value.shape[0] != target.shape[0]):
            continue
        src, dst = math.isqrt(value.shape[1]), math.isqrt(target.shape[1])
        grid = value.view(1, value.shape[0], src, src).float()
        resized = F.interpolate(grid, size=(dst, dst), mode='bicubic',
                                align_corners=False)
        state_dict[key] = resized.view_as(target).to(value.dtype)
    return state_dict
