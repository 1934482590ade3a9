"""The cascaded-group-attention EfficientViT (M0-M5) of Liu et al., CVPR 2023
(microsoft/Cream; timm's ``efficientvit_msra``)."""
from .backbone import EfficientViT

__all__ = ['EfficientViT']
