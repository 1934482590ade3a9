from .efficientvit import EfficientViT
from .efficientvit_mit import EfficientViTMIT, EfficientViTMITSegHead
from .necks import EfficientViTFPN

__all__ = ['EfficientViT', 'EfficientViTFPN', 'EfficientViTMIT',
           'EfficientViTMITSegHead']
