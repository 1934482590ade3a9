"""The ImageNet classifier of MIT's released models (MIT's ``ClsHead``), for
counting the classification models' parameters and FLOPs as MIT's tables do.
"""
import torch.nn as nn

from ...errors import ConfigError
from .layers import ConvNormAct, build_activation

NUM_IMAGENET_CLASSES = 1000
# MIT's ClsHead widths (``width_list``) of its ImageNet models; L0 has none.
CLS_HEAD_WIDTHS = {'b0': (1024, 1280), 'b1': (1536, 1600),
                   'b2': (2304, 2560), 'b3': (2304, 2560),
                   'l1': (3072, 3200), 'l2': (3072, 3200),
                   'l3': (6144, 6400)}


def imagenet_head(arch, in_channels):
    """MIT's ``ClsHead`` of ``arch`` (1x1 conv + BatchNorm + act, global
    pooling, Linear without bias + LayerNorm + act, Linear to 1000
    classes) over the last stage's ``in_channels``."""
    if arch not in CLS_HEAD_WIDTHS:
        raise ConfigError(f'MIT released no ImageNet model of arch {arch!r}; '
                          f'archs with one: {sorted(CLS_HEAD_WIDTHS)}')
    act = 'hswish' if arch.startswith('b') else 'gelu'
    widths = CLS_HEAD_WIDTHS[arch]
    return nn.Sequential(
        ConvNormAct(in_channels, widths[0], 1, act=act),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(*widths, bias=False), nn.LayerNorm(widths[1]),
        build_activation(act), nn.Linear(widths[1], NUM_IMAGENET_CLASSES))
