"""Data transforms for mmseg pipelines."""
import math

import mmcv
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS


@TRANSFORMS.register_module()
class ShorterSideResize(BaseTransform):
    """Resize the image so that its shorter side is ``short_side`` and its
    longer side the nearest multiple of ``size_divisor`` at or above the
    proportional length; the label map is left alone.

    This is how MIT's EfficientViT-Seg evaluation (mit-han-lab/efficientvit,
    ``ADE20KDataset`` of its segmentation evaluation script) feeds ADE20K
    validation images to the network::

        short = 512
        long = ceil(long / short * 512 / 32) * 32     # cv2.INTER_CUBIC

    so a 375x500 (HxW) image runs at 512x704 and a 500x375 one at 704x512.
    Both sides are multiples of 32, the network's stride. The aspect ratio
    is therefore only approximately kept (704/512 = 1.375 for 500/375 =
    1.333), unlike mmseg's ``Resize(scale=(2048, 512), keep_ratio=True)``
    (375x500 -> 512x683). The prediction is scored at the original size, as
    MIT does, so ``gt_seg_map`` (if already loaded) is not resized: put this
    transform before ``LoadAnnotations`` or after, it does not matter.

    Required keys: ``img``.
    Modified keys: ``img``, ``img_shape``.
    Added keys: ``scale_factor`` (w, h), ``keep_ratio`` (False).

    Args:
        short_side (int): Length of the shorter side after resizing.
            Defaults to 512.
        size_divisor (int): The longer side is rounded up to a multiple of
            it. Defaults to 32.
        interpolation (str): mmcv interpolation ('bicubic' is OpenCV's
            ``INTER_CUBIC``, MIT's choice). Defaults to 'bicubic'.
    """

    def __init__(self, short_side=512, size_divisor=32,
                 interpolation='bicubic'):
        self.short_side = short_side
        self.size_divisor = size_divisor
        self.interpolation = interpolation

    def target_size(self, height, width):
        """(height, width) an image of that size is resized to."""
        if height < width:
            long_side = width / height * self.short_side
            return self.short_side, self._round_up(long_side)
        long_side = height / width * self.short_side
        return self._round_up(long_side), self.short_side

    def _round_up(self, length):
        return math.ceil(length / self.size_divisor) * self.size_divisor

    def transform(self, results):
        img = results['img']
        height, width = img.shape[:2]
        new_height, new_width = self.target_size(height, width)
        if (new_height, new_width) != (height, width):
            img = mmcv.imresize(img, (new_width, new_height),
                                interpolation=self.interpolation)
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['scale_factor'] = (new_width / width, new_height / height)
        results['keep_ratio'] = False
        return results

    def __repr__(self):
        return (f'{self.__class__.__name__}(short_side={self.short_side}, '
                f'size_divisor={self.size_divisor}, '
                f'interpolation={self.interpolation!r})')
