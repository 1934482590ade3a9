"""Broken data named, not buried in a traceback (written for MMEngine
0.10.7, mmcv 2.1.0, mmdet 3.3.0, mmseg 1.2.2).

For mmdet's and mmseg's datasets whichever tool builds them:

- a COCO annotation file that is not valid JSON, or whose images,
  categories and annotations do not fit together, raises an error naming
  the file and the offending annotation (mmdet's ``COCO`` wrapper, used by
  ``CocoDataset`` and ``CocoMetric``);
- an image that cannot be decoded or is truncated raises
  ``UnreadableImageError`` naming it (``LoadImageFromFile``); a dataloader
  config with ``skip_unreadable_images=True`` instead skips it with a
  warning that counts the images skipped so far, and the dataset loads
  another sample in its place;
- an ADE20K-style label map whose size differs from its image's raises
  ``DataError`` naming both (mmseg's ``LoadAnnotations``).

What is checked is ``evit_dense.datasets.checks``; this module runs it.

Patches: the transforms are the types that mmdet's and mmseg's pipelines
name (``LoadImageFromFile``, ``LoadAnnotations``), and ``COCO`` is built by
``CocoDataset`` and ``CocoMetric`` themselves, so a new registered type
would hold only for configs that name it; ``skip_unreadable_images`` is a
dataloader setting, read where MMEngine builds dataloaders.
"""
import functools
import json
import logging
import multiprocessing

from mmcv.transforms import LoadImageFromFile
from mmdet.datasets.api_wrappers import COCO
from mmengine.dataset import BaseDataset
from mmengine.logging import print_log
from mmengine.runner import Runner
from mmseg.datasets.transforms import LoadAnnotations

from ..datasets.checks import check_coco_annotations, check_image_complete
from ..errors import (CorruptFileError, DataError, MissingFileError,
                      UnreadableImageError)
from .fix import Fix


def _coco_init_checked(init):

    @functools.wraps(init)
    def init_checked(self, annotation_file=None):
        try:
            init(self, annotation_file)
        except FileNotFoundError as error:
            raise MissingFileError(f'annotation file "{annotation_file}" '
                                   f'does not exist') from error
        except json.JSONDecodeError as error:
            raise CorruptFileError(
                f'annotation file "{annotation_file}" is not valid JSON: '
                f'{error.msg} at line {error.lineno}, column '
                f'{error.colno}') from error
        except (AssertionError, KeyError, TypeError) as error:
            # pycocotools indexes what it loaded before anything is checked
            check_coco_annotations(getattr(self, 'dataset', None),
                                   annotation_file)
            raise error
        if annotation_file is not None:
            check_coco_annotations(self.dataset, annotation_file)

    init_checked.evit_dense_patched = True
    return init_checked


def _load_image_checked(transform):

    @functools.wraps(transform)
    def transform_checked(self, results):
        path = results['img_path']
        try:
            loaded = transform(self, results)
        except AssertionError as error:  # the decoder returned nothing
            raise UnreadableImageError(
                f'image "{path}" cannot be decoded') from error
        except Exception as error:
            raise UnreadableImageError(
                f'image "{path}" cannot be read ({type(error).__name__}: '
                f'{error})') from error
        local = (self.file_client_args is None and not self.backend_args
                 and '://' not in str(path))
        if loaded is not None and local:
            check_image_complete(path)
        return loaded

    transform_checked.evit_dense_patched = True
    return transform_checked


def _load_annotations_checked(transform):

    @functools.wraps(transform)
    def transform_checked(self, results):
        results = transform(self, results)
        label_map = results.get('gt_seg_map')
        # the image as loaded: test pipelines resize it before this
        image_shape = results.get('ori_shape')
        if (label_map is not None and image_shape is not None
                and tuple(label_map.shape[:2]) != tuple(image_shape[:2])):
            raise DataError(
                f'label map "{results["seg_map_path"]}" is '
                f'{label_map.shape[0]}x{label_map.shape[1]} but its image '
                f'"{results["img_path"]}" is '
                f'{image_shape[0]}x{image_shape[1]}')
        return results

    transform_checked.evit_dense_patched = True
    return transform_checked


def _prepare_data_skipping(prepare_data):
    """``BaseDataset.prepare_data`` that, where ``skip_unreadable_images``
    put a counter on the dataset, turns an unreadable image into None:
    ``BaseDataset.__getitem__`` then loads another sample instead."""

    @functools.wraps(prepare_data)
    def prepare_data_skipping(self, index):
        skipped = getattr(self, 'unreadable_images_skipped', None)
        if skipped is None:
            return prepare_data(self, index)
        try:
            return prepare_data(self, index)
        except UnreadableImageError as error:
            with skipped.get_lock():
                skipped.value += 1
                count = skipped.value
            print_log(f'{error}; skipped it ({count} skips so far)',
                      logger='current', level=logging.WARNING)
            return None

    prepare_data_skipping.evit_dense_patched = True
    return prepare_data_skipping


def _leaf_datasets(dataset):
    inner = getattr(dataset, 'datasets', None) or [getattr(dataset,
                                                            'dataset', None)]
    leaves = [leaf for child in inner if child is not None
              for leaf in _leaf_datasets(child)]
    return leaves or [dataset]


def _build_dataloader_skipping(build_dataloader):
    """``Runner.build_dataloader`` reading the dataloader setting
    ``skip_unreadable_images`` (default False)."""

    @functools.wraps(build_dataloader)
    def build_skipping(dataloader, *args, **kwargs):
        skip = False
        if isinstance(dataloader, dict):
            dataloader = dict(dataloader)
            skip = dataloader.pop('skip_unreadable_images', False)
        loader = build_dataloader(dataloader, *args, **kwargs)
        if skip:
            # shared with the worker processes, which do the skipping
            skipped = multiprocessing.Value('i', 0)
            for dataset in _leaf_datasets(loader.dataset):
                dataset.unreadable_images_skipped = skipped
        return loader

    build_skipping.evit_dense_patched = True
    return staticmethod(build_skipping)


def check_data_on_load():
    """Apply the checks described in this module's docstring; idempotent."""
    if getattr(COCO.__init__, 'evit_dense_patched', False):
        return
    COCO.__init__ = _coco_init_checked(COCO.__init__)
    LoadImageFromFile.transform = _load_image_checked(
        LoadImageFromFile.transform)
    LoadAnnotations.transform = _load_annotations_checked(
        LoadAnnotations.transform)
    BaseDataset.prepare_data = _prepare_data_skipping(BaseDataset.prepare_data)
    Runner.build_dataloader = _build_dataloader_skipping(
        Runner.build_dataloader)


FIX = Fix(
    name='data_checks',
    apply=check_data_on_load,
    written_for={'mmengine': ('0.10', '0.10'), 'mmcv': ('2.1', '2.1'),
                 'mmdet': ('3.3', '3.3'), 'mmsegmentation': ('1.2', '1.2')},
    replaces=('mmdet.datasets.api_wrappers.COCO.__init__',
              'mmcv.transforms.LoadImageFromFile.transform',
              'mmseg.datasets.transforms.LoadAnnotations.transform',
              'mmengine.dataset.BaseDataset.prepare_data',
              'mmengine.runner.Runner.build_dataloader'))
