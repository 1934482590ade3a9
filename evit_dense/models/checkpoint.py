"""Checkpoint formats of EfficientViT and their conversion to this package.

Formats recognised from their keys:

* ``official``: microsoft/Cream ImageNet checkpoints (``{'model': ...}``,
  ``blocks1.0.mixer.m.attn.qkvs.0.c.weight``) and, under a ``backbone.``
  prefix, the official mmdet 2.x detection checkpoints.
* ``timm``: timm ``efficientvit_m*`` state dicts
  (``stages.0.blocks.0.mixer.m.attn.qkvs.0.conv.weight``), which are also this
  package's own names.

Renaming is done by pure functions (:func:`convert_backbone_state_dict`,
:func:`convert_model_state_dict`) used by :func:`load_pretrained`, by the
models' load hooks and by ``tools/convert_checkpoint.py``.
"""
import math
import re

import torch.nn.functional as F
from mmengine.runner.checkpoint import CheckpointLoader

from ..errors import UserError

# Classification heads and recomputable index buffers have no place here.
_DROPPED = re.compile(r'^(head|head_dist|dist_head)\.|attention_bias_idxs$')
_OFFICIAL_BLOCK = re.compile(r'^blocks(\d+)\.(\d+)\.(.*)$')
_OFFICIAL_STEM = re.compile(r'^patch_embed\.(\d+)\.(.*)$')
# MIT's EfficientViT (B/L series), in MIT's or timm's layout.
_MIT_FAMILY_KEY = re.compile(r'^(input_stem\.|stem\.in_conv\.|stages\.\d+\.op_list\.)')
# The official stage i+1 (i > 0) starts with its downsampling: a sandwich,
# patch merging and another sandwich, then the blocks.
_DOWNSAMPLE_PARTS = ('res1', 'patchmerge', 'res2')


class CheckpointMismatchError(UserError, ValueError):
    """A checkpoint that does not fit the model it is loaded into."""


def load_checkpoint_file(filename):
    """Read a checkpoint from a path or URL onto the CPU (a missing or
    corrupt local file raises the loader's ``MissingFileError`` or
    ``CorruptFileError``, see ``evit_dense.engine.checkpoint_io``)."""
    return CheckpointLoader.load_checkpoint(filename, map_location='cpu')


def unwrap_state_dict(checkpoint):
    """The state dict inside an MMEngine (``state_dict``), official (``model``)
    or bare checkpoint."""
    for key in ('state_dict', 'model'):
        if isinstance(checkpoint, dict) and isinstance(checkpoint.get(key), dict):
            return checkpoint[key]
    return checkpoint


def detect_format(state_dict):
    """'official' or 'timm' from the key names; None if neither."""
    keys = list(state_dict)
    if any(_MIT_FAMILY_KEY.match(k) for k in keys):
        raise CheckpointMismatchError(
            "This is a checkpoint of MIT's EfficientViT (B/L series, "
            "type='EfficientViTMIT'), not of the cascaded-group-attention "
            "EfficientViT (M0-M5, type='EfficientViT').")
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
    if any(k.startswith('backbone.') for k in state_dict):
        state_dict = {k[len('backbone.'):]: v for k, v in state_dict.items()
                      if k.startswith('backbone.')}
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


def check_module_state_dict(state_dict, prefix, model_state, name):
    """Raise :class:`CheckpointMismatchError` unless the entries of
    ``state_dict`` under ``prefix`` match ``model_state`` in names and shapes.

    A checkpoint without any entry under ``prefix`` passes (the module is
    simply not in it).
    """
    own = {k[len(prefix):]: v for k, v in state_dict.items()
           if k.startswith(prefix)}
    if not own:
        return
    # BatchNorm counters are optional, as for torch and mmengine.
    missing = sorted(k for k in set(model_state) - set(own)
                     if not k.endswith('num_batches_tracked'))
    unexpected = sorted(set(own) - set(model_state))
    wrong_shapes = [
        f'{k}: checkpoint {tuple(own[k].shape)} vs model '
        f'{tuple(model_state[k].shape)}'
        for k in sorted(set(own) & set(model_state))
        if own[k].shape != model_state[k].shape]
    problems = [f'{what} {items[:4]}' for what, items in (
        ('missing', missing), ('unexpected', unexpected),
        ('shapes differ:', wrong_shapes)) if items]
    if problems:
        raise CheckpointMismatchError(
            f'The checkpoint\'s {prefix!r} weights do not fit this {name} (a '
            f'checkpoint of another model or settings?): {"; ".join(problems)}')


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


def convert_prefixed_in_place(state_dict, prefix, model_state, logger=None):
    """Convert the backbone entries of ``state_dict`` under ``prefix`` in place.

    Runs whenever a state dict is loaded into the backbone (``init_cfg``,
    ``load_from``, ``--resume``, mmdet's and mmseg's own tools), so official
    checkpoints load wherever a checkpoint enters. Raises
    :class:`CheckpointMismatchError` when the entries do not fit.
    """
    own = [k for k in state_dict if k.startswith(prefix)]
    if not own:
        # torch and mmengine hand each module only the keys under its prefix,
        # so the rest of the checkpoint cannot be inspected here.
        raise CheckpointMismatchError(
            f'The checkpoint has no {prefix!r} weights for this EfficientViT. '
            'A backbone-only (e.g. ImageNet classification) checkpoint goes '
            "into the backbone's init_cfg=dict(type='Pretrained', "
            'checkpoint=...), not load_from or a whole-model checkpoint '
            'argument.')
    converted, fmt = convert_backbone_state_dict(
        {k[len(prefix):]: state_dict.pop(k) for k in own})
    resize_attention_biases(converted, model_state)
    wrong_shapes = [
        f'{k}: checkpoint {tuple(v.shape)} vs model {tuple(model_state[k].shape)}'
        for k, v in converted.items()
        if k in model_state and v.shape != model_state[k].shape]
    if wrong_shapes:
        raise CheckpointMismatchError(
            f'The checkpoint does not fit this EfficientViT: {len(wrong_shapes)} '
            'tensors differ in shape (another arch?), e.g. '
            + '; '.join(wrong_shapes[:3]))
    if not set(converted) & set(model_state):
        raise CheckpointMismatchError(
            'The checkpoint shares no parameter with this EfficientViT.')
    if fmt == 'official' and logger is not None:
        logger.info(f'Converted official EfficientViT weights under {prefix!r} '
                    'to evit_dense names.')
    state_dict.update({prefix + k: v for k, v in converted.items()})


def load_pretrained(model, filename, logger=None):
    """Load an EfficientViT checkpoint of any recognised format into ``model``
    (the backbone), logging missing and unexpected keys."""
    state_dict, fmt = convert_backbone_state_dict(load_checkpoint_file(filename))
    result = model.load_state_dict(state_dict, strict=False)
    if logger is not None:
        logger.info(f'Loaded {fmt} EfficientViT checkpoint {filename}')
        if result.missing_keys:
            logger.warning(f'Missing keys: {result.missing_keys}')
        if result.unexpected_keys:
            logger.warning(f'Unexpected keys: {result.unexpected_keys}')
    return result
