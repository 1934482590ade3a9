"""Structured Taylor pruning of the EfficientViT (M0-M5) backbone.

The paper chose its widths by pruning trained networks with first-order
Taylor importance (Molchanov et al., CVPR 2019) and reading which components
kept their channels. This module does the same for a trained detector or
segmentor: the importance of a channel is ``|sum(w * dL/dw)|`` over the
parameters that make it, summed over batches of the model's own loss
(scoring and global ranking are shared with MIT's family, in
``models/pruning``; this module is the M family's groups and surgery).

Prunable groups, per block (``prunable_units``):

- ``qk``: the query/key channels of each head. Channel ``c`` is query row
  ``c``, key row ``c`` and the query depthwise conv's channel ``c``;
- ``value``: the value channels of each head, with the projection's input
  columns. A head whose value channels all go is removed: it adds nothing
  to the cascade, so the next heads stay valid;
- ``ffn``: the hidden channels of every feed-forward layer (the blocks' and
  the downsampling sandwiches').

A pruned channel is one whose BatchNorm output is zero in the original
model (``zero_pruned_channels``), so the pruned backbone equals the original
with those channels zeroed, and with nothing pruned equals the original.
"""
import copy

import torch

from ..pruning import (MIN_KEPT_FRACTION, PrunableUnit, channel_index,
                       kept_fractions, select_channels, unit_name)
from ..pruning import taylor_importance as _taylor_importance
from .attention import CascadedGroupAttention
from .backbone import NUM_STAGES, EfficientViT
from .layers import ConvMlp

# Each family's module is the whole pruning API of that family (selection
# and the report are shared).
__all__ = ['COMPONENTS', 'MIN_KEPT_FRACTION', 'kept_fractions',
           'prunable_units', 'prune_backbone', 'select_channels',
           'taylor_importance', 'unit_name', 'zero_pruned_channels']

COMPONENTS = ('qk', 'value', 'ffn')
# The entries of a ConvNorm's state indexed by its output channel.
CONV_NORM_CHANNEL_KEYS = ('conv.weight', 'bn.weight', 'bn.bias',
                          'bn.running_mean', 'bn.running_var')


def _stage_of(path):
    return int(path.split('.')[1])


def prunable_units(backbone):
    """Every ``PrunableUnit`` of an ``EfficientViT`` backbone, in module
    order. A layer's value heads share one pool, so whole heads may go."""
    units = []
    for path, module in backbone.named_modules():
        if isinstance(module, ConvMlp):
            units.append(PrunableUnit(path, 'ffn', _stage_of(path),
                                      module.pw1.conv.out_channels))
        elif isinstance(module, CascadedGroupAttention):
            for head, (qk, value) in enumerate(zip(module.qk_dims,
                                                   module.value_dims)):
                if value:
                    units.append(PrunableUnit(path, 'qk', _stage_of(path), qk,
                                              head))
                    units.append(PrunableUnit(path, 'value', _stage_of(path),
                                              value, head,
                                              pool=(path, 'value')))
    return units


def _head_rows(attention, head):
    """Row ranges of a head's fused qkv conv: query, key, value."""
    qk = attention.qk_dims[head]
    return (slice(0, qk), slice(qk, 2 * qk),
            slice(2 * qk, 2 * qk + attention.value_dims[head]))


def _value_columns(attention, head):
    start = sum(attention.value_dims[:head])
    return slice(start, start + attention.value_dims[head])


def _channel_parts(backbone, unit):
    """``(parameter, dim, index slice)`` triples whose entries along
    ``dim`` at the slice are the unit's channels, in channel order."""
    module = backbone.get_submodule(unit.path)
    every = slice(None)
    if unit.component == 'ffn':
        return [(module.pw1.conv.weight, 0, every),
                (module.pw1.bn.weight, 0, every),
                (module.pw1.bn.bias, 0, every),
                (module.pw2.conv.weight, 1, every)]
    qkv, dw = module.qkvs[unit.head], module.dws[unit.head]
    query, key, value = _head_rows(module, unit.head)
    if unit.component == 'qk':
        return [(param, 0, rows)
                for rows in (query, key)
                for param in (qkv.conv.weight, qkv.bn.weight, qkv.bn.bias)] + [
                    (param, 0, every)
                    for param in (dw.conv.weight, dw.bn.weight, dw.bn.bias)]
    return [(param, 0, value)
            for param in (qkv.conv.weight, qkv.bn.weight, qkv.bn.bias)] + [
                (module.proj[1].conv.weight, 1, _value_columns(module,
                                                               unit.head))]


def taylor_importance(model, batches):
    """The Taylor importance of every unit of ``model.backbone`` over
    ``batches``, with the model's own loss (see ``models/pruning/taylor.py``).

    Returns:
        tuple: (units, importance dict: unit name -> per-channel tensor).
    """
    units = prunable_units(model.backbone)
    return units, _taylor_importance(model, batches, units, _channel_parts)


def pruned_arch(backbone, units, kept):
    """The ``arch`` dict of the pruned backbone (``block_widths`` filled)."""
    arch = {key: list(value) for key, value in backbone.arch_settings.items()
            if key != 'block_widths'}
    widths = [dict(blocks=[]) for _ in range(NUM_STAGES)]
    by_path = {}
    for unit in units:
        by_path.setdefault(unit.path, []).append(unit)
    for i, stage in enumerate(backbone.stages):
        if i > 0:
            widths[i]['downsample_ffn_hidden'] = [
                len(kept[f'stages.{i}.downsample.{res}.1.m'])
                for res in ('res1', 'res2')]
        for j, block in enumerate(stage.blocks):
            path = f'stages.{i}.blocks.{j}'
            attention = block.mixer.m.attn
            qk_dims, value_dims = [], []
            for head in range(attention.num_heads):
                attention_path = f'{path}.mixer.m.attn'
                values = kept.get(unit_name(attention_path, 'value', head))
                alive = bool(values)  # None: pruned before
                value_dims.append(len(values) if alive else 0)
                qk_dims.append(len(kept[unit_name(attention_path, 'qk', head)])
                               if alive else 0)
            widths[i]['blocks'].append(dict(
                qk_dims=qk_dims, value_dims=value_dims,
                ffn_hidden=[len(kept[f'{path}.ffn{k}.m']) for k in (0, 1)]))
    arch['block_widths'] = widths
    return arch


@torch.no_grad()
def prune_backbone(backbone, units, kept):
    """A new ``EfficientViT`` with only the ``kept`` channels (unit name ->
    indices), its weights taken from ``backbone``; same other settings."""
    arch = pruned_arch(backbone, units, kept)
    pruned = EfficientViT(arch, out_indices=backbone.out_indices,
                          frozen_stages=backbone.frozen_stages,
                          norm_eval=backbone.norm_eval,
                          with_cp=backbone.with_cp)
    state = {k: v.clone() for k, v in backbone.state_dict().items()}
    for unit in units:
        if unit.component != 'ffn':
            continue
        rows = channel_index(kept[unit.name])
        for key in CONV_NORM_CHANNEL_KEYS:
            name = f'{unit.path}.pw1.{key}'
            state[name] = state[name][rows]
        name = f'{unit.path}.pw2.conv.weight'
        state[name] = state[name][:, rows]
    for path, module in backbone.named_modules():
        if not isinstance(module, CascadedGroupAttention):
            continue
        columns = []
        for head in range(module.num_heads):
            if not module.value_dims[head]:
                continue
            values = kept[unit_name(path, 'value', head)]
            prefix = f'{path}.qkvs.{head}'
            if not values:  # the head goes
                for key in [k for k in state
                            if k.startswith((f'{prefix}.',
                                             f'{path}.dws.{head}.'))]:
                    del state[key]
                state.pop(f'{path}.cascade_index_{head}', None)
                continue
            query, key_rows, value_rows = _head_rows(module, head)
            qk = channel_index(kept[unit_name(path, 'qk', head)])
            rows = torch.cat([qk + query.start, qk + key_rows.start,
                              channel_index(values) + value_rows.start])
            for key in CONV_NORM_CHANNEL_KEYS:
                state[f'{prefix}.{key}'] = state[f'{prefix}.{key}'][rows]
                name = f'{path}.dws.{head}.{key}'
                state[name] = state[name][qk]
            old_index = getattr(module, f'cascade_index_{head}',
                                torch.arange(module.value_dims[head]))
            if head < module.num_heads - 1 and len(values) < module.val_dim:
                state[f'{path}.cascade_index_{head}'] = old_index[
                    channel_index(values)]
            else:
                state.pop(f'{path}.cascade_index_{head}', None)
            columns.append(channel_index(values) +
                           _value_columns(module, head).start)
        name = f'{path}.proj.1.conv.weight'
        state[name] = state[name][:, torch.cat(columns)]
    pruned.load_state_dict(state)
    return pruned


@torch.no_grad()
def zero_pruned_channels(backbone, units, kept):
    """A copy of ``backbone`` whose channels outside ``kept`` output zero
    (their BatchNorm scale and shift set to 0): what pruning removes."""
    zeroed = copy.deepcopy(backbone)
    for unit in units:
        removed = sorted(set(range(unit.size)) - set(kept[unit.name]))
        if not removed:
            continue
        module = zeroed.get_submodule(unit.path)
        if unit.component == 'ffn':
            norms = [(module.pw1.bn, channel_index(removed))]
        else:
            qkv, dw = module.qkvs[unit.head], module.dws[unit.head]
            query, key, value = _head_rows(module, unit.head)
            offsets = ([query.start, key.start] if unit.component == 'qk'
                       else [value.start])
            norms = [(qkv.bn, channel_index(removed) + offset)
                     for offset in offsets]
            if unit.component == 'qk':
                norms.append((dw.bn, channel_index(removed)))
        for norm, channels in norms:
            norm.weight[channels] = 0
            norm.bias[channels] = 0
    return zeroed
