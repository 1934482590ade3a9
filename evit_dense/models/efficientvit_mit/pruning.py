"""Structured Taylor pruning of MIT's EfficientViT backbone (B/L series).

The same tool as for the M family (``efficientvit_msra/pruning.py``; the
scoring and global ranking of both live in ``models/pruning``), with MIT's
groups.
Per block of stages 1-4 (``prunable_units``; the stem is not pruned):

- ``qk``: the query/key channels of each LiteMLA head. Heads are numbered
  as ``LiteMLA`` numbers them: those of the 1x1 qkv conv, then those of the
  aggregation scale. Channel ``c`` is query row ``c`` and key row ``c`` of
  the conv that makes the head (the qkv conv, with the aggregation's
  depthwise conv channels, or the aggregation's grouped 1x1 conv), since
  the linear attention sums over the channels of q and k together;
- ``value``: the value channels of each head, with the projection's input
  columns;
- ``mbconv``: the hidden channels of every MBConv and FusedMBConv, the
  attention blocks' (MIT's FFN) and the convolutional stages' alike.

Every head keeps at least ``MIN_KEPT_FRACTION`` of its query/key and of its
value channels: a LiteMLA head cannot go whole, because the aggregation
scale's head ``h`` is computed from the qkv conv's head ``h``.

A pruned channel is one whose output is zero in the original model
(``zero_pruned_channels``): the (F)MBConv hidden channel after its last
activation, or the q/k/v channel of the conv that makes it. So the pruned
backbone equals the original with those channels zeroed, and with nothing
pruned equals the original.
"""
import copy

import torch

from ..pruning import (MIN_KEPT_FRACTION, PrunableUnit, channel_index,
                       kept_fractions, select_channels, unit_name)
from ..pruning import taylor_importance as _taylor_importance
from .attention import GroupedPointwiseConv, LiteMLA
from .backbone import EfficientViTMIT, EfficientViTMITBlock
from .layers import FusedMBConv, MBConv

# Each family's module is the whole pruning API of that family (selection
# and the report are shared).
__all__ = ['COMPONENTS', 'MIN_KEPT_FRACTION', 'kept_fractions',
           'prunable_units', 'prune_backbone', 'select_channels',
           'taylor_importance', 'unit_name', 'zero_pruned_channels']

COMPONENTS = ('qk', 'value', 'mbconv')
# The entries of a ConvNormAct's state indexed by its output channel.
CONV_NORM_ACT_CHANNEL_KEYS = ('conv.weight', 'conv.bias', 'norm.weight',
                              'norm.bias', 'norm.running_mean',
                              'norm.running_var')


def _stage_of(path):
    return int(path.split('.')[1])


def _num_base_heads(attention):
    return len(attention.head_parts) // (1 + len(attention.aggreg))


def prunable_units(backbone):
    """Every ``PrunableUnit`` of an ``EfficientViTMIT`` backbone's stages,
    in module order."""
    units = []
    for path, module in backbone.stages.named_modules(prefix='stages'):
        if isinstance(module, MBConv):
            units.append(PrunableUnit(path, 'mbconv', _stage_of(path),
                                      module.depth_conv.conv.out_channels))
        elif isinstance(module, FusedMBConv):
            units.append(PrunableUnit(path, 'mbconv', _stage_of(path),
                                      module.spatial_conv.conv.out_channels))
        elif isinstance(module, LiteMLA):
            for head, (qk, _, value) in enumerate(module.head_parts):
                units.append(PrunableUnit(path, 'qk', _stage_of(path), qk,
                                          head))
                units.append(PrunableUnit(path, 'value', _stage_of(path),
                                          value, head))
    return units


def _part_offsets(parts):
    """Start of each of q, k, v within a head's channels."""
    return 0, parts[0], parts[0] + parts[1]


def _head_makers(attention, head):
    """For each of the head's q, k and v: the ``(parameter, rows)`` pairs
    that make its channels, in channel order."""
    heads = _num_base_heads(attention)
    scale, local = divmod(head, heads)
    parts = attention.head_parts[head]
    if scale == 0:
        start = sum(sum(p) for p in attention.head_parts[:local])
        params = [attention.qkv.conv.weight]
        if attention.qkv.conv.bias is not None:
            params.append(attention.qkv.conv.bias)
        params += [aggreg[0].weight for aggreg in attention.aggreg]
        return [[(param, slice(start + offset, start + offset + width))
                 for param in params]
                for offset, width in zip(_part_offsets(parts), parts)]
    conv = attention.aggreg[scale - 1][1]
    if isinstance(conv, GroupedPointwiseConv):
        return [[(conv.convs[3 * local + j].weight, slice(None))]
                for j in range(3)]
    start = 3 * local * attention.head_dim
    return [[(conv.weight, slice(start + offset, start + offset + width))]
            for offset, width in zip(_part_offsets(parts), parts)]


def _value_columns(attention, head):
    start = sum(parts[2] for parts in attention.head_parts[:head])
    return slice(start, start + attention.head_parts[head][2])


def _conv_norm_act_rows(module):
    """The parameters of a ConvNormAct indexed by its output channel."""
    params = [module.conv.weight, module.conv.bias]
    if module.norm is not None:
        params += [module.norm.weight, module.norm.bias]
    return [param for param in params if param is not None]


def _hidden_maker(module):
    """The ConvNormAct whose output is an (F)MBConv's hidden channels."""
    return (module.depth_conv if isinstance(module, MBConv)
            else module.spatial_conv)


def _channel_parts(backbone, unit):
    """``(parameter, dim, index)`` triples whose entries along ``dim`` at
    the index are the unit's channels, in channel order."""
    module = backbone.get_submodule(unit.path)
    every = slice(None)
    if unit.component == 'mbconv':
        makers = [module.inverted_conv] if isinstance(module, MBConv) else []
        makers.append(_hidden_maker(module))
        return [(param, 0, every) for maker in makers
                for param in _conv_norm_act_rows(maker)] + [
                    (module.point_conv.conv.weight, 1, every)]
    q, k, v = _head_makers(module, unit.head)
    if unit.component == 'qk':
        return [(param, 0, rows) for param, rows in q + k]
    return [(param, 0, rows) for param, rows in v] + [
        (module.proj.conv.weight, 1, _value_columns(module, unit.head))]


def taylor_importance(model, batches):
    """The Taylor importance of every unit of ``model.backbone`` over
    ``batches``, with the model's own loss (see ``models/pruning/taylor.py``).

    Returns:
        tuple: (units, importance dict: unit name -> per-channel tensor).
    """
    units = prunable_units(model.backbone)
    return units, _taylor_importance(model, batches, units, _channel_parts)


def pruned_arch(backbone, kept):
    """The ``arch`` dict of the pruned backbone (``block_widths`` filled)."""
    arch = {key: copy.deepcopy(value)
            for key, value in backbone.arch_settings.items()}
    arch['block_widths'] = []
    for i, stage in enumerate(backbone.stages):
        blocks = []
        for j, block in enumerate(stage.blocks):
            path = f'stages.{i}.blocks.{j}'
            if isinstance(block, EfficientViTMITBlock):
                attention = f'{path}.context_module.main'
                heads = len(block.context_module.main.head_parts)
                blocks.append(dict(
                    qk_dims=[len(kept[unit_name(attention, 'qk', h)])
                             for h in range(heads)],
                    value_dims=[len(kept[unit_name(attention, 'value', h)])
                                for h in range(heads)],
                    hidden=len(kept[f'{path}.local_module.main'])))
            else:
                blocks.append(dict(hidden=len(kept[f'{path}.main'])))
        arch['block_widths'].append(blocks)
    return arch


def _take(state, key, index, dim=0):
    if key in state:
        state[key] = state[key].index_select(dim, index)


def _prune_hidden(state, path, module, channels):
    makers = ['inverted_conv', 'depth_conv'] if isinstance(
        module, MBConv) else ['spatial_conv']
    for maker in makers:
        for key in CONV_NORM_ACT_CHANNEL_KEYS:
            _take(state, f'{path}.{maker}.{key}', channels)
    _take(state, f'{path}.point_conv.conv.weight', channels, dim=1)


def _group_weight(conv, group, head_dim):
    """Group ``group``'s weight of an aggregation's grouped 1x1 conv."""
    if isinstance(conv, GroupedPointwiseConv):
        return conv.convs[group].weight
    return conv.weight[group * head_dim:(group + 1) * head_dim]


def _prune_attention(state, path, attention, kept):
    """Slice the LiteMLA at ``path`` in ``state`` to its kept channels,
    in the layout of the pruned ``LiteMLA`` (grouped 1x1 convs per part
    once the heads differ in width, unchanged if nothing was pruned)."""
    heads = _num_base_heads(attention)

    def head_channels(head):
        """Kept q, k and v channels of a head, within the head."""
        qk = channel_index(kept[unit_name(path, 'qk', head)])
        value = channel_index(kept[unit_name(path, 'value', head)])
        return qk, qk, value

    if all(len(kept[unit_name(path, component, head)]) == width
           for head, (qk, _, value) in enumerate(attention.head_parts)
           for component, width in (('qk', qk), ('value', value))):
        return
    base_rows, start = [], 0
    for head in range(heads):
        parts = attention.head_parts[head]
        for offset, channels in zip(_part_offsets(parts), head_channels(head)):
            base_rows.append(channels + start + offset)
        start += sum(parts)
    base_rows = torch.cat(base_rows)
    for key in CONV_NORM_ACT_CHANNEL_KEYS:
        _take(state, f'{path}.qkv.{key}', base_rows)
    for scale, aggreg in enumerate(attention.aggreg):
        prefix = f'{path}.aggreg.{scale}'
        _take(state, f'{prefix}.0.weight', base_rows)
        for key in [k for k in state if k.startswith(f'{prefix}.1.')]:
            del state[key]
        for local in range(heads):
            inputs = head_channels(local)
            outputs = head_channels((scale + 1) * heads + local)
            for j in range(3):
                weight = _group_weight(aggreg[1], 3 * local + j,
                                       attention.head_dim)
                state[f'{prefix}.1.convs.{3 * local + j}.weight'] = (
                    weight[outputs[j]][:, inputs[j]].clone())
    columns = torch.cat([
        head_channels(head)[2] + _value_columns(attention, head).start
        for head in range(len(attention.head_parts))])
    _take(state, f'{path}.proj.conv.weight', columns, dim=1)


@torch.no_grad()
def prune_backbone(backbone, units, kept):
    """A new ``EfficientViTMIT`` with only the ``kept`` channels (unit name
    -> indices), its weights taken from ``backbone``; same other settings."""
    pruned = EfficientViTMIT(pruned_arch(backbone, kept),
                             out_indices=backbone.out_indices,
                             frozen_stages=backbone.frozen_stages,
                             norm_eval=backbone.norm_eval,
                             with_cp=backbone.with_cp)
    state = {k: v.clone() for k, v in backbone.state_dict().items()}
    for unit in units:
        if unit.component == 'mbconv':
            _prune_hidden(state, unit.path, backbone.get_submodule(unit.path),
                          channel_index(kept[unit.name]))
    for path in dict.fromkeys(unit.path for unit in units
                              if unit.component != 'mbconv'):
        _prune_attention(state, path, backbone.get_submodule(path), kept)
    pruned.load_state_dict(state)
    return pruned


@torch.no_grad()
def zero_pruned_channels(backbone, units, kept):
    """A copy of ``backbone`` whose channels outside ``kept`` output zero:
    what pruning removes."""
    zeroed = copy.deepcopy(backbone)
    for unit in units:
        removed = channel_index(sorted(set(range(unit.size)) -
                                       set(kept[unit.name])))
        if not len(removed):
            continue
        module = zeroed.get_submodule(unit.path)
        if unit.component == 'mbconv':
            for param in _conv_norm_act_rows(_hidden_maker(module)):
                param[removed] = 0
            continue
        q, k, v = _head_makers(module, unit.head)
        for part in ((q, k) if unit.component == 'qk' else (v,)):
            for param, rows in part:
                param[rows][removed] = 0
    return zeroed
