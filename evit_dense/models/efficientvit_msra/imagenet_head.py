"""The ImageNet classifier of the official M0-M5 models (global pooling,
then timm's ``BNLinear``: BatchNorm + Linear), for counting the
classification models' parameters and FLOPs as the paper's Table 1 does."""
import torch.nn as nn

NUM_IMAGENET_CLASSES = 1000


def imagenet_head(arch, in_channels):
    """The classifier over the last stage's ``in_channels`` (the same for
    every arch)."""
    return nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.BatchNorm1d(in_channels),
                         nn.Linear(in_channels, NUM_IMAGENET_CLASSES))
