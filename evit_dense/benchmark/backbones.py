"""Backbone rows: ``ARCH[:OPTION]``, or ``resnet<depth>`` (mmdet's ResNet).

``ARCH`` is an arch of any family (m0-m5, b0-b3, l0-l3). ``OPTION`` is
``deploy`` (the deploy form), ``with_cp`` (activation checkpointing) or the
family's reference (``official`` or ``mit``, see :mod:`.references`). Every
row of an arch is built from the same seed, so that ours in every form, and
a reference that copies our weights, hold the same weights: their eval
outputs must agree (:func:`output_differences`).
"""
import torch
from mmdet.models.backbones import ResNet

from ..errors import ConfigError
from ..models import family_of_arch
from .references import REFERENCES

OUR_OPTIONS = ('', 'deploy', 'with_cp')


def build_backbone(spec):
    arch, _, option = spec.partition(':')
    if arch.startswith('resnet'):
        return ResNet(depth=int(arch[len('resnet'):]))
    family = family_of_arch(arch)
    if option not in (*OUR_OPTIONS, family.reference):
        raise ConfigError(
            f'benchmark: no row {spec!r}; an arch of {family.title} takes '
            f'the options deploy, with_cp and {family.reference}.')
    # Same seed for every row of an arch: the same weights.
    torch.manual_seed(0)
    model = family.backbone(arch=arch, with_cp=option == 'with_cp')
    if option == family.reference:
        return REFERENCES[option].build(arch, model)
    if option == 'deploy':
        return family.deploy(model.eval())
    return model


def backbone_case(spec, shape, batch, device):
    model = build_backbone(spec).to(device)
    # The same input for every row, whatever building its model drew.
    inputs = torch.rand(batch, 3, *shape,
                        generator=torch.Generator().manual_seed(0)).to(device)

    def infer():
        return model(inputs)

    def train_step():
        sum(out.mean() for out in model(inputs)).backward()

    return model, infer, train_step


def shares_weights(spec, first):
    """Whether the backbone row ``spec`` holds the weights of ``first``."""
    arch, _, option = spec.partition(':')
    if arch != first:
        return False
    return option in OUR_OPTIONS or REFERENCES[option].holds_our_weights


@torch.no_grad()
def output_differences(cases, first):
    """Of every row sharing the first row's weights (all in eval mode): the
    largest difference of its outputs from the first row's, relative to the
    largest magnitude of those."""
    steps = {spec: step for spec, (_, step) in cases.items()
             if shares_weights(spec, first)}
    expected = steps.pop(first)()
    differences = {}
    for spec, step in steps.items():
        differences[spec] = max(
            ((out - ref).abs().max() / ref.abs().max()).item()
            for out, ref in zip(step(), expected, strict=True))
    return differences
