"""Groups of channels that structured pruning removes together.

A family's pruning module (``models/efficientvit_msra/pruning.py``,
``models/efficientvit_mit/pruning.py``) lists its groups as
``PrunableUnit``s, with the parameter slices that make their channels; a
criterion (``taylor``) scores the channels and ``selection`` ranks them.
"""
from dataclasses import dataclass

import torch


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
