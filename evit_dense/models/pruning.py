"""Structured Taylor pruning of the EfficientViT (M0-M5) backbone.

The paper chose its widths by pruning trained networks with first-order
Taylor importance (Molchanov et al., CVPR 2019) and reading which components
kept their channels. This module does the same for a trained detector or
segmentor: the importance of a channel is ``|sum(w * dL/dw)|`` over the
parameters that make it, summed over batches of the model's own loss.

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
import math
from dataclasses import dataclass

import torch

from .attention import CascadedGroupAttention
from .efficientvit import NUM_STAGES, EfficientViT
from .layers import ConvMlp

COMPONENTS = ('qk', 'value', 'ffn')
# The fewest channels a group keeps, as a fraction of its width (at least
# one): no layer vanishes. Value channels count per attention layer, so
# whole heads may go.
MIN_KEPT_FRACTION = 0.1
# The entries of a ConvNorm's state indexed by its output channel.
CONV_NORM_CHANNEL_KEYS = ('conv.weight', 'bn.weight', 'bn.bias',
                          'bn.running_mean', 'bn.running_var')


@dataclass
class PrunableUnit:
    """One group of channels that are pruned together.

    ``path`` is the module's name in the backbone; ``head`` is set for the
    ``qk`` and ``value`` groups of one head; ``pool`` names the units whose
    channels share the minimum kept (a layer's value heads pool theirs).
    """
    path: str
    component: str
    stage: int
    size: int
    head: int = None

    @property
    def name(self):
        return unit_name(self.path, self.component, self.head)

    @property
    def pool(self):
        return (self.path, 'value') if self.component == 'value' else self.name


def unit_name(path, component, head=None):
    """The key of a unit's channels in importance and kept-channel dicts."""
    return path if head is None else f'{path}.{component}[{head}]'


def _stage_of(path):
    return int(path.split('.')[1])


def prunable_units(backbone):
    """Every ``PrunableUnit`` of an ``EfficientViT`` backbone, in module
    order."""
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
                                              value, head))
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


def _per_channel(tensor, dim, rows):
    """Sum ``tensor`` over everything but ``dim``, at ``rows`` of it."""
    index = [slice(None)] * tensor.dim()
    index[dim] = rows
    tensor = tensor[tuple(index)].transpose(0, dim)
    return tensor.reshape(tensor.shape[0], -1).sum(1)


@torch.no_grad()
def accumulate_taylor_importance(backbone, units, importance):
    """Add this batch's ``|sum(w * dL/dw)|`` per channel of each unit to
    ``importance`` (unit name -> tensor); gradients must be populated."""
    for unit in units:
        score = torch.zeros(unit.size, dtype=torch.float64)
        for param, dim, rows in _channel_parts(backbone, unit):
            if param.grad is not None:
                score += _per_channel(param * param.grad, dim,
                                      rows).double().cpu()
        importance[unit.name] = importance.get(unit.name, 0) + score.abs()
    return importance


def taylor_importance(model, batches):
    """Accumulate the Taylor importance of every unit of ``model.backbone``
    over ``batches`` (dataloader batches), with the model's own loss.
    BatchNorms use their running statistics (eval mode), so the model is
    scored as it is deployed and is not changed; frozen parameters get
    gradients too.

    Returns:
        tuple: (units, importance dict: unit name -> per-channel tensor).
    """
    units = prunable_units(model.backbone)
    importance = {}
    model.eval()
    for param in model.parameters():
        param.requires_grad_(True)
    for batch in batches:
        data = model.data_preprocessor(batch, True)
        loss, _ = model.parse_losses(model(**data, mode='loss'))
        model.zero_grad()
        loss.backward()
        accumulate_taylor_importance(model.backbone, units, importance)
    model.zero_grad()
    return units, importance


def select_channels(units, importance, ratio):
    """The channels each unit keeps after removing the least important
    ``ratio`` of all, ranked globally, keeping at least
    ``MIN_KEPT_FRACTION`` of each group (of each layer's value channels).

    Returns:
        dict: unit name -> sorted list of kept channel indices.
    """
    if not 0 <= ratio < 1:
        raise ValueError(f'--ratio must be in [0, 1), got {ratio}')
    kept = {unit.name: set(range(unit.size)) for unit in units}
    pool_size, pool_left = {}, {}
    for unit in units:
        pool_size[unit.pool] = pool_size.get(unit.pool, 0) + unit.size
    for pool, size in pool_size.items():
        pool_left[pool] = size - max(1, math.ceil(size * MIN_KEPT_FRACTION))
    ranked = sorted(((importance[unit.name][c].item(), unit.name, c, unit.pool)
                     for unit in units for c in range(unit.size)))
    to_remove = round(ratio * len(ranked))
    for _, name, channel, pool in ranked:
        if to_remove == 0:
            break
        if pool_left[pool] > 0:
            kept[name].discard(channel)
            pool_left[pool] -= 1
            to_remove -= 1
    return {name: sorted(channels) for name, channels in kept.items()}


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


def _index(channels):
    return torch.tensor(channels, dtype=torch.long)


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
        rows = _index(kept[unit.name])
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
            qk = _index(kept[unit_name(path, 'qk', head)])
            rows = torch.cat([qk + query.start, qk + key_rows.start,
                              _index(values) + value_rows.start])
            for key in CONV_NORM_CHANNEL_KEYS:
                state[f'{prefix}.{key}'] = state[f'{prefix}.{key}'][rows]
                name = f'{path}.dws.{head}.{key}'
                state[name] = state[name][qk]
            old_index = getattr(module, f'cascade_index_{head}',
                                torch.arange(module.value_dims[head]))
            if head < module.num_heads - 1 and len(values) < module.val_dim:
                state[f'{path}.cascade_index_{head}'] = old_index[
                    _index(values)]
            else:
                state.pop(f'{path}.cascade_index_{head}', None)
            columns.append(_index(values) +
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
            norms = [(module.pw1.bn, _index(removed))]
        else:
            qkv, dw = module.qkvs[unit.head], module.dws[unit.head]
            query, key, value = _head_rows(module, unit.head)
            offsets = ([query.start, key.start] if unit.component == 'qk'
                       else [value.start])
            norms = [(qkv.bn, _index(removed) + offset) for offset in offsets]
            if unit.component == 'qk':
                norms.append((dw.bn, _index(removed)))
        for norm, channels in norms:
            norm.weight[channels] = 0
            norm.bias[channels] = 0
    return zeroed


def kept_fractions(units, kept):
    """Per stage and component: (channels kept, channels before)."""
    table = {}
    for unit in units:
        counts = table.setdefault((unit.stage, unit.component), [0, 0])
        counts[0] += len(kept[unit.name])
        counts[1] += unit.size
    return {key: tuple(value) for key, value in sorted(table.items())}
