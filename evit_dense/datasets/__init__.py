"""Generators of small toy datasets in the layouts mmdet and mmseg read,
data transforms (registered in mmseg's ``TRANSFORMS``), and what makes data
broken (``checks``; ``evit_dense.runtime.data_checks`` runs them where
mmdet and mmseg load data)."""
from .toy_ade20k import TOY_CLASSES as TOY_ADE20K_CLASSES
from .toy_ade20k import make_toy_ade20k
from .toy_coco import TOY_CLASSES as TOY_COCO_CLASSES
from .toy_coco import make_toy_coco
from .transforms import ShorterSideResize

__all__ = ['ShorterSideResize', 'TOY_ADE20K_CLASSES', 'TOY_COCO_CLASSES',
           'make_toy_ade20k', 'make_toy_coco']
