import json

import numpy as np
from mmcv.transforms import LoadImageFromFile
from mmdet.datasets import CocoDataset
from mmdet.datasets.transforms import LoadAnnotations
from PIL import Image

from evit_dense.datasets import TOY_COCO_CLASSES, make_toy_coco


def test_layout_annotations_and_determinism(tmp_path):
    root = make_toy_coco(tmp_path / 'a', num_train=3, num_val=2,
                         size=(96, 80), seed=1)
    assert sorted(p.name for p in (root / 'val2017').iterdir()) == [
        '000000000001.jpg', '000000000002.jpg']
    with open(root / 'annotations' / 'instances_val2017.json') as f:
        coco = json.load(f)
    assert [c['name'] for c in coco['categories']] == list(TOY_COCO_CLASSES)
    assert Image.open(root / 'val2017' / '000000000001.jpg').size == (96, 80)
    assert coco['annotations']
    for ann in coco['annotations']:
        x, y, w, h = ann['bbox']
        assert 0 <= x and x + w <= 96 and 0 <= y and y + h <= 80
        assert 32 <= w <= 72 and 32 <= h <= 72
        polygon = np.array(ann['segmentation'][0]).reshape(-1, 2)
        # The box is the polygon's extent, the area the polygon's.
        assert np.allclose([*polygon.min(0), *(polygon.max(0) -
                                               polygon.min(0))], ann['bbox'])
        assert 0 < ann['area'] <= w * h

    again = make_toy_coco(tmp_path / 'b', num_train=3, num_val=2,
                          size=(96, 80), seed=1)
    with open(again / 'annotations' / 'instances_val2017.json') as f:
        assert json.load(f) == coco


def test_shapes_are_drawn_where_annotated(tmp_path):
    root = make_toy_coco(tmp_path, num_train=1, num_val=1, seed=2)
    with open(root / 'annotations' / 'instances_train2017.json') as f:
        ann = json.load(f)['annotations'][0]
    image = np.asarray(Image.open(root / 'train2017' / '000000000001.jpg'),
                       dtype=np.float32)
    x, y, w, h = (int(v) for v in ann['bbox'])
    centre = image[y + h * 2 // 3, x + w // 2]  # inside every shape
    corner = image[2, 2] if (x, y) > (8, 8) else image[-3, -3]
    assert np.abs(centre - corner).max() > 40


def test_mmdet_reads_it_with_the_toy_classes(tmp_path):
    root = make_toy_coco(tmp_path, num_train=4, num_val=1)
    dataset = CocoDataset(
        data_root=str(root), ann_file='annotations/instances_train2017.json',
        data_prefix=dict(img='train2017/'),
        metainfo=dict(classes=TOY_COCO_CLASSES),
        pipeline=[LoadImageFromFile(),
                  LoadAnnotations(with_bbox=True, with_mask=True)])
    assert len(dataset) == 4
    sample = dataset[0]
    assert sample['img'].shape == (128, 128, 3)
    assert len(sample['gt_bboxes']) == len(sample['gt_masks']) > 0
    assert set(sample['gt_bboxes_labels']) <= {0, 1, 2}
