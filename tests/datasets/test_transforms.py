import cv2
import numpy as np
import pytest
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import TRANSFORMS

import evit_dense  # noqa: F401  registers the transforms
from evit_dense.datasets import ShorterSideResize
from tests.conftest import REPO_ROOT

ADE20K_CONFIG = (REPO_ROOT / 'configs' / 'efficientvit_mit' / 'seg' /
                 'efficientvit_seg_b1_ade20k.py')


def resize(height, width, **kwargs):
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    results = dict(img=image, img_shape=image.shape[:2],
                   ori_shape=image.shape[:2])
    return image, ShorterSideResize(**kwargs)(results)


@pytest.mark.parametrize('size, expected', [
    ((375, 500), (512, 704)),   # MIT: ceil(500 / 375 * 512 / 32) * 32
    ((500, 375), (704, 512)),   # portrait
    ((512, 683), (512, 704)),
    ((400, 400), (512, 512)),
    ((512, 704), (512, 704)),   # already there: untouched
])
def test_mit_ade20k_sizes(size, expected):
    image, results = resize(*size)
    assert results['img'].shape == (*expected, 3)
    assert tuple(results['img_shape']) == expected
    assert results['ori_shape'] == size
    assert results['scale_factor'] == pytest.approx(
        (expected[1] / size[1], expected[0] / size[0]))
    if size == expected:
        assert np.array_equal(results['img'], image)


def test_resizes_like_mit_bicubic_opencv():
    image, results = resize(375, 500)
    assert np.array_equal(results['img'], cv2.resize(
        image, dsize=(704, 512), interpolation=cv2.INTER_CUBIC))


def test_leaves_the_label_map_alone():
    """MIT scores the prediction at the original size."""
    label = np.random.default_rng(1).integers(0, 150, size=(375, 500),
                                              dtype=np.uint8)
    results = ShorterSideResize()(dict(
        img=np.zeros((375, 500, 3), np.uint8), gt_seg_map=label.copy(),
        seg_fields=['gt_seg_map']))
    assert results['img'].shape[:2] == (512, 704)
    assert np.array_equal(results['gt_seg_map'], label)


def test_other_short_side_and_divisor():
    _, results = resize(300, 1000, short_side=256, size_divisor=64)
    # 1000 / 300 * 256 = 853.3 -> 896
    assert results['img'].shape[:2] == (256, 896)


def test_builds_from_the_mmseg_config(tmp_path):
    init_default_scope('mmseg')
    assert TRANSFORMS.get('ShorterSideResize') is ShorterSideResize
    cfg = Config.fromfile(ADE20K_CONFIG)
    pipeline = Compose(cfg.test_dataloader.dataset.pipeline)
    image = np.random.default_rng(2).integers(0, 256, size=(375, 500, 3),
                                              dtype=np.uint8)
    label = np.random.default_rng(3).integers(0, 151, size=(375, 500),
                                              dtype=np.uint8)
    cv2.imwrite(str(tmp_path / 'a.jpg'), image)
    cv2.imwrite(str(tmp_path / 'a.png'), label)
    packed = pipeline(dict(img_path=str(tmp_path / 'a.jpg'),
                           seg_map_path=str(tmp_path / 'a.png'),
                           reduce_zero_label=True, seg_fields=[]))
    assert tuple(packed['inputs'].shape) == (3, 512, 704)
    sample = packed['data_samples']
    assert sample.ori_shape == (375, 500)
    assert sample.img_shape == (512, 704)
    # reduce_zero_label: 0 -> 255 (ignored), k -> k - 1.
    gt = sample.gt_sem_seg.data[0].numpy()
    assert gt.shape == (375, 500)
    assert np.array_equal(gt, np.where(label == 0, 255, label - 1))
