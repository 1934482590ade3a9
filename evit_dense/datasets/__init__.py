"""Generators of small toy datasets in the layouts mmdet and mmseg read,
data transforms (registered in mmseg's ``TRANSFORMS``), and the checks that
name broken data (``checks``, applied on import)."""
from .checks import check_data_on_load
from .toy_ade20k import TOY_CLASSES as TOY_ADE20K_CLASSES
from .toy_ade20k import make_toy_ade20k
from .toy_coco import TOY_CLASSES as TOY_COCO_CLASSES
from .toy_coco import make_toy_coco
from .transforms import ShorterSideResize

check_data_on_load()

__all__ = ['ShorterSideResize', 'check_data_on_load', 'TOY_ADE20K_CLASSES',
           'TOY_COCO_CLASSES', 'make_toy_ade20k', 'make_toy_coco']
