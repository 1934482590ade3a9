from .efficientvit import EfficientViT
from .necks import EfficientViTFPN

__all__ = ['EfficientViT', 'EfficientViTFPN']
