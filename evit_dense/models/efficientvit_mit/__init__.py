"""MIT's EfficientViT (B and L series): the backbone and its segmentation
head, a family of its own beside the M series of ``efficientvit_msra``."""
from .backbone import EfficientViTMIT
from .seg_head import EfficientViTMITSegHead

__all__ = ['EfficientViTMIT', 'EfficientViTMITSegHead']
