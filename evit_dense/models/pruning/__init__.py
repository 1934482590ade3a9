"""Structured channel pruning shared by both backbone families: the groups
(``units``), the criteria that score them (``taylor``) and the global
selection (``selection``). Each family's ``pruning`` module adds its groups
and its surgery."""
from .selection import MIN_KEPT_FRACTION, kept_fractions, select_channels
from .taylor import accumulate_taylor_importance, taylor_importance
from .units import PrunableUnit, channel_index, unit_name

__all__ = ['MIN_KEPT_FRACTION', 'PrunableUnit', 'accumulate_taylor_importance',
           'channel_index', 'kept_fractions', 'select_channels',
           'taylor_importance', 'unit_name']
