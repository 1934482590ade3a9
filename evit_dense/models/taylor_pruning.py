"""Structured first-order Taylor pruning (Molchanov et al., CVPR 2019), the
part shared by both backbone families.

A family's pruning module (``evit_dense.models.pruning`` for M0-M5,
``evit_dense.models.efficientvit_mit.pruning`` for B/L) lists its groups of
channels that are pruned together (``PrunableUnit``) and, for each, the
parameter slices that make those channels. Here they are scored, ranked
globally and selected. The importance of a channel is ``|sum(w * dL/dw)|``
over those slices, summed over batches of the model's own loss.
"""
import math
from dataclasses import dataclass

import torch

# The fewest channels a group keeps, as a fraction of its width (at least
# one): no layer vanishes.
MIN_KEPT_FRACTION = 0.1


@dataclass
class PrunableUnit:
    """One group of channels that are pruned together.

    ``path`` is the module's name in the backbone; ``head`` is set for the
    groups of one attention head. ``pool`` names the units whose channels
    share the minimum kept; by default each unit is its own pool.
    """
    path: str
    component: str
    stage: int
    size: int
    head: int = None
    pool: tuple = None

    def __post_init__(self):
        if self.pool is None:
            self.pool = (self.name,)

    @property
    def name(self):
        return unit_name(self.path, self.component, self.head)


def unit_name(path, component, head=None):
    """The key of a unit's channels in importance and kept-channel dicts."""
    return path if head is None else f'{path}.{component}[{head}]'


def channel_index(channels):
    return torch.tensor(channels, dtype=torch.long)


def _per_channel(tensor, dim, rows):
    """Sum ``tensor`` over everything but ``dim``, at ``rows`` of it."""
    index = [slice(None)] * tensor.dim()
    index[dim] = rows
    tensor = tensor[tuple(index)].transpose(0, dim)
    return tensor.reshape(tensor.shape[0], -1).sum(1)


@torch.no_grad()
def accumulate_taylor_importance(backbone, units, channel_parts, importance):
    """Add this batch's ``|sum(w * dL/dw)|`` per channel of each unit to
    ``importance`` (unit name -> tensor); gradients must be populated.
    ``channel_parts(backbone, unit)`` gives ``(parameter, dim, index)``
    triples whose entries along ``dim`` at ``index`` are the unit's
    channels, in channel order."""
    for unit in units:
        score = torch.zeros(unit.size, dtype=torch.float64)
        for param, dim, rows in channel_parts(backbone, unit):
            if param.grad is not None:
                score += _per_channel(param * param.grad, dim,
                                      rows).double().cpu()
        importance[unit.name] = importance.get(unit.name, 0) + score.abs()
    return importance


def taylor_importance(model, batches, units, channel_parts):
    """Accumulate the Taylor importance of ``units`` of ``model.backbone``
    over ``batches`` (dataloader batches), with the model's own loss.
    BatchNorms use their running statistics (eval mode), so the model is
    scored as it is deployed and is not changed; frozen parameters get
    gradients too.

    Returns:
        dict: unit name -> per-channel importance tensor.
    """
    importance = {}
    model.eval()
    for param in model.parameters():
        param.requires_grad_(True)
    for batch in batches:
        data = model.data_preprocessor(batch, True)
        loss, _ = model.parse_losses(model(**data, mode='loss'))
        model.zero_grad()
        loss.backward()
        accumulate_taylor_importance(model.backbone, units, channel_parts,
                                     importance)
    model.zero_grad()
    return importance


def select_channels(units, importance, ratio):
    """The channels each unit keeps after removing the least important
    ``ratio`` of all, ranked globally, keeping at least
    ``MIN_KEPT_FRACTION`` of each pool.

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


def kept_fractions(units, kept):
    """Per stage and component: (channels kept, channels before)."""
    table = {}
    for unit in units:
        counts = table.setdefault((unit.stage, unit.component), [0, 0])
        counts[0] += len(kept[unit.name])
        counts[1] += unit.size
    return {key: tuple(value) for key, value in sorted(table.items())}
