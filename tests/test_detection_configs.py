"""The COCO detection configs build, train a step, and differ between
variants only where they should; the backbone and neck also serve other
mmdet detectors."""
import copy
import functools

import numpy as np
import pytest
import torch
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample
from mmdet.structures.mask import BitmapMasks
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

from evit_dense.models import EfficientViT, EfficientViTFPN
from tests.conftest import REPO_ROOT

DETECTORS = ['retinanet', 'mask_rcnn']
VARIANTS = sorted(EfficientViT.arch_zoo)


@functools.lru_cache
def read_config(detector, arch):
    return Config.fromfile(REPO_ROOT / 'configs' / f'{detector}_evit_{arch}_coco.py')


def load_config(detector, arch):
    return copy.deepcopy(read_config(detector, arch))


def build(model_cfg):
    """The detector, without the ImageNet checkpoint a user downloads."""
    model_cfg = copy.deepcopy(model_cfg)
    model_cfg.backbone.init_cfg = None
    init_default_scope('mmdet')
    return MODELS.build(model_cfg)


def fake_batch(size=(96, 128), num_images=2):
    """Images with two objects each, boxes and masks, as the data pipeline
    gives them."""
    height, width = size
    inputs, samples = [], []
    for i in range(num_images):
        inputs.append(torch.randint(0, 256, (3, height, width), dtype=torch.uint8))
        boxes = torch.tensor([[8., 10., 60., 70.], [40., 20., 120., 90.]]) + i
        masks = np.zeros((2, height, width), dtype=np.uint8)
        for mask, (x1, y1, x2, y2) in zip(masks, boxes.int().tolist()):
            mask[y1:y2, x1:x2] = 1
        sample = DetDataSample(metainfo=dict(
            img_shape=size, ori_shape=size, scale_factor=(1., 1.)))
        sample.gt_instances = InstanceData(
            bboxes=boxes, labels=torch.tensor([3, 17]),
            masks=BitmapMasks(masks, height, width))
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def loss_step(model):
    model.train()
    data = model.data_preprocessor(fake_batch(), training=True)
    loss, log_vars = model.parse_losses(model(**data, mode='loss'))
    loss.backward()
    return loss, log_vars


def assert_backbone_learns(model):
    grads = [p.grad for p in model.backbone.parameters() if p.requires_grad]
    assert all(g is not None for g in grads)
    assert any(g.abs().sum() > 0 for g in grads)
    assert all(torch.isfinite(g).all() for g in grads)


@pytest.mark.parametrize('arch', VARIANTS)
@pytest.mark.parametrize('detector', DETECTORS)
def test_every_variant_builds_with_its_backbone(detector, arch):
    cfg = load_config(detector, arch)
    model = build(cfg.model)
    assert model.backbone.arch_settings == EfficientViT.parse_arch(arch)
    assert model.neck.in_channels == model.backbone.out_channels
    assert cfg.model.backbone.init_cfg.checkpoint == (
        f'checkpoints/efficientvit_{arch}.pth')


@pytest.mark.parametrize('arch', [a for a in VARIANTS if a != 'm4'])
@pytest.mark.parametrize('detector', DETECTORS)
def test_variants_change_only_the_backbone(detector, arch):
    def without_backbone(cfg):
        cfg = cfg.to_dict()
        del cfg['model']['backbone'], cfg['model']['neck']['in_channels']
        return cfg

    variant, m4 = load_config(detector, arch), load_config(detector, 'm4')
    assert without_backbone(variant) == without_backbone(m4)
    variant.model.backbone.update(arch='m4', init_cfg=m4.model.backbone.init_cfg)
    assert variant.model.backbone == m4.model.backbone


@pytest.mark.parametrize('detector', DETECTORS)
def test_official_recipe(detector):
    cfg = load_config(detector, 'm4')
    assert cfg.optim_wrapper.optimizer == dict(
        type='AdamW', lr=1e-4, betas=(0.9, 0.999), weight_decay=0.05)
    assert cfg.optim_wrapper.paramwise_cfg.custom_keys == {
        'attention_biases': dict(decay_mult=0.)}
    warmup, steps = cfg.param_scheduler
    assert (warmup.type, warmup.end, warmup.by_epoch) == ('LinearLR', 500, False)
    assert (steps.type, steps.milestones) == ('MultiStepLR', [8, 11])
    assert cfg.train_cfg.max_epochs == 12
    resize = [t for t in cfg.train_pipeline if t.type == 'Resize']
    assert resize[0].scale == (1333, 800)
    assert cfg.train_dataloader.dataset.data_root == 'data/coco/'


def test_attention_biases_have_no_weight_decay():
    from mmengine.optim import build_optim_wrapper
    cfg = load_config('retinanet', 'm0')
    model = build(cfg.model)
    optimizer = build_optim_wrapper(model, cfg.optim_wrapper).optimizer
    biases = {id(p) for n, p in model.named_parameters()
              if n.endswith('attention_biases')}
    assert biases
    for group in optimizer.param_groups:
        ids = {id(p) for p in group['params']}
        if ids & biases:
            assert group['weight_decay'] == 0
        else:
            assert group['weight_decay'] == 0.05


@pytest.mark.parametrize('detector', DETECTORS)
def test_loss_step_reaches_the_backbone(detector):
    model = build(load_config(detector, 'm0').model)
    loss, log_vars = loss_step(model)
    assert torch.isfinite(loss) and loss > 0
    if detector == 'mask_rcnn':
        assert log_vars['loss_mask'] > 0
    assert_backbone_learns(model)


def test_backbone_and_neck_in_another_detector():
    """FCOS, anchor-free with centerness, on our backbone and neck."""
    model = build(Config(dict(model=dict(
        type='FCOS',
        data_preprocessor=dict(
            type='DetDataPreprocessor', mean=[123.675, 116.28, 103.53],
            std=[58.395, 57.12, 57.375], bgr_to_rgb=True, pad_size_divisor=32),
        backbone=dict(type='EfficientViT', arch='m0'),
        neck=dict(type='EfficientViTFPN', in_channels=[64, 128, 192],
                  out_channels=64, num_outs=5, num_extra_trans_convs=1,
                  add_extra_convs='on_output'),
        bbox_head=dict(
            type='FCOSHead', num_classes=20, in_channels=64, feat_channels=64,
            stacked_convs=2, strides=[8, 16, 32, 64, 128]),
        train_cfg=None, test_cfg=dict(
            nms_pre=100, min_bbox_size=0, score_thr=0.05,
            nms=dict(type='nms', iou_threshold=0.5), max_per_img=10)))).model)
    assert isinstance(model.neck, EfficientViTFPN)
    loss, _ = loss_step(model)
    assert torch.isfinite(loss) and loss > 0
    assert_backbone_learns(model)
    model.eval()
    batch = model.data_preprocessor(fake_batch(num_images=1), training=False)
    with torch.no_grad():
        result, = model(**batch, mode='predict')
    assert result.pred_instances.bboxes.shape[1] == 4
