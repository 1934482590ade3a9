"""What every runtime fix declares, as data that ``evit_dense.runtime``
checks on import: what it changes, the library versions it was written for,
how to tell that upstream no longer needs it, and how to apply it."""
from dataclasses import dataclass
from typing import Callable, Mapping, Optional, Tuple


@dataclass(frozen=True)
class Fix:
    """One change made to torch or an OpenMMLab library on
    ``import evit_dense``.

    Args:
        name (str): The module of ``evit_dense.runtime`` that holds it.
        apply (Callable[[], None]): Makes the change.
        written_for (Mapping[str, Tuple[str, str]]): For each distribution
            (its pip name) the fix depends on, the oldest and newest version
            it was written for, inclusive, each compared on as many parts as
            it names: ``('2.6', '2.13')`` holds 2.6.0 to any 2.13.x. Outside
            them a one-line warning is logged and the fix still applied; a
            distribution that is not installed is not checked.
        replaces (Tuple[str, ...]): Qualified names of the attributes it
            replaces (a patch). Defaults to none.
        registers (Tuple[str, ...]): The extension points it uses instead
            (a registry, an allow-list, a hook). Defaults to none.
        upstream_fixed (Callable[[], bool], optional): True where the
            installed libraries no longer have the problem: the fix is then
            skipped. None where that cannot be told short of running it.
    """
    name: str
    apply: Callable[[], None]
    written_for: Mapping[str, Tuple[str, str]]
    replaces: Tuple[str, ...] = ()
    registers: Tuple[str, ...] = ()
    upstream_fixed: Optional[Callable[[], bool]] = None
