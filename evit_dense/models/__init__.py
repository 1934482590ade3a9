"""Backbone families (``efficientvit_msra``: M0-M5; ``efficientvit_mit``: MIT's
B/L), what they share (``common``, ``pruning``), their table (``families``)
and the neck of the official detection recipe."""
from .efficientvit_mit import EfficientViTMIT, EfficientViTMITSegHead
from .efficientvit_msra import EfficientViT
from .families import FAMILIES, family_of_arch, family_of_backbone
from .necks import EfficientViTFPN

__all__ = ['EfficientViT', 'EfficientViTFPN', 'EfficientViTMIT',
           'EfficientViTMITSegHead', 'FAMILIES', 'family_of_arch',
           'family_of_backbone']
