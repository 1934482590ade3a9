import torch

from evit_dense.benchmark.whole_models import fake_batch


def test_detection_batch_has_boxes_and_masks_on_them():
    torch.manual_seed(0)
    batch = fake_batch('mmdet', (64, 96), 2, True, classes=3)
    assert [tuple(i.shape) for i in batch['inputs']] == [(3, 64, 96)] * 2
    assert all(i.dtype == torch.uint8 for i in batch['inputs'])
    for sample in batch['data_samples']:
        gt = sample.gt_instances
        assert gt.labels.max() < 3
        boxes = gt.bboxes
        assert (boxes[:, :2] >= 0).all()
        assert (boxes[:, 2:] - boxes[:, :2] >= 16).all()
        masks = torch.from_numpy(gt.masks.masks)
        for mask, (x1, y1, x2, y2) in zip(masks, boxes.int().tolist()):
            assert mask.sum() == (min(x2, 96) - x1) * (min(y2, 64) - y1)
        assert sample.img_shape == (64, 96)


def test_segmentation_batch_has_a_label_map_of_the_image_size():
    batch = fake_batch('mmseg', (32, 48), 1, False, classes=5)
    label_map = batch['data_samples'][0].gt_sem_seg.data
    assert label_map.shape == (1, 32, 48) and label_map.max() < 5
