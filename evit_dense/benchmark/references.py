"""The original implementations a family's first row is timed against.

Each family names its reference (:attr:`Family.reference`); this table says
how to build it. Their code is vendored in the source tree's ``third_party/``
(see the SOURCE file in each folder), outside the installed package:

- ``official``: the forward computation of Microsoft's EfficientViT
  (M0-M5), ``third_party/official_efficientvit``. It has weights of its own
  (its eval forward caches its attention biases when switched to eval).
- ``mit``: MIT's EfficientViT (B0-B3, L0-L3), unmodified,
  ``third_party/mit_efficientvit``, holding our backbone's weights so that
  its outputs are compared with ours.
"""
import importlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch

from ..errors import MissingFileError
from ..models import family_of_arch

THIRD_PARTY = Path(__file__).resolve().parents[2] / 'third_party'


def import_third_party(folder, module):
    """``module`` from the vendored folder ``third_party/<folder>``."""
    path = THIRD_PARTY / folder
    if not path.is_dir():
        raise MissingFileError(
            f'benchmark: the reference code {path} is missing; the reference '
            'rows run the vendored code of the source tree (a clone of '
            'evit_dense), which an installed package does not hold.')
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
    return importlib.import_module(module)


@dataclass(frozen=True)
class Reference:
    """How to build one original implementation.

    Attributes:
        name: the row's option (``m4:official``, ``b1:mit``).
        build: ``build(arch, ours) -> module`` with the outputs of our
            backbone ``ours`` of that arch (a tuple of maps).
        holds_our_weights: whether ``build`` copies ``ours``'s weights
            (then its eval outputs are compared with ours).
        runs_at: ``runs_at(shape)``: whether it runs at an input of ``shape``.
        fails_when: why it has no row where it does not run.
    """
    name: str
    build: Callable
    holds_our_weights: bool
    runs_at: Callable
    fails_when: str = ''


def official_backbone(arch, ours):
    """Microsoft's downstream backbone of ``arch``, with weights of its own
    (not ``ours``'s)."""
    official = import_third_party('official_efficientvit',
                                  'official_efficientvit')
    return official.official_efficientvit(arch)


def official_runs_at(shape, window=7, stem_and_downsamples=6):
    """Whether the official backbone runs at ``shape``: its attention fails
    on a map no larger than a window unless the map is a whole window."""
    for _ in range(stem_and_downsamples):  # stride-2 3x3 convs, padding 1
        shape = [(side + 1) // 2 for side in shape]
    return max(shape) > window or shape == [window, window]


class MITStages(torch.nn.Module):
    """MIT's backbone with the outputs of ours: the maps of stages 1-4
    (strides 4-32) as a tuple, rather than a dict of every stage."""

    def __init__(self, model, out_indices):
        super().__init__()
        self.model = model
        self.out_indices = out_indices

    def forward(self, x):
        outs = self.model(x)
        return tuple(outs[f'stage{i}'] for i in self.out_indices)


def mit_backbone(arch, ours):
    """MIT's own backbone of ``arch``, holding ``ours``'s weights."""
    mit = import_third_party('mit_efficientvit', 'mit_reference')
    reference = mit.build(arch, zoo_eps=True)
    mit_state = reference.state_dict()
    converted, _ = family_of_arch(arch).checkpoint.convert_backbone_state_dict(
        mit_state)
    our_names = dict(zip(converted, mit_state))  # ours -> MIT's, one to one
    reference.load_state_dict({our_names[k]: v for k, v in
                               ours.state_dict().items()})
    return MITStages(reference, ours.out_indices)


def any_shape(shape):
    return True


REFERENCES = {reference.name: reference for reference in (
    Reference('official', official_backbone, holds_our_weights=False,
              runs_at=official_runs_at,
              fails_when='the official code fails when a stage map is '
                         'smaller than its window (take an input larger '
                         'than 448 on one side).'),
    Reference('mit', mit_backbone, holds_our_weights=True,
              runs_at=any_shape),
)}
