"""Global ranking of scored channels, and the report of what was kept."""
import math

# The fewest channels a group keeps, as a fraction of its width (at least
# one): no layer vanishes.
MIN_KEPT_FRACTION = 0.1


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
