"""Every config of MIT's EfficientViT (B/L) under configs/efficientvit_mit
loads, builds and runs a forward whose outputs sit at the strides its head
expects; the thin variants change only the backbone and the widths that
follow from it."""
import copy
import functools
import math
import re

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS, init_default_scope

from evit_dense.models import EfficientViTMIT
from tests.conftest import REPO_ROOT

CONFIG_DIR = REPO_ROOT / 'configs' / 'efficientvit_mit'
CONFIGS = sorted([*CONFIG_DIR.glob('*.py'), *CONFIG_DIR.glob('toy/*.py')])
RECIPES = ['retinanet_evit_{}_coco', 'mask_rcnn_evit_{}_coco',
           'upernet_evit_{}_ade20k', 'fpn_evit_{}_ade20k']
VARIANTS = ['b0', 'b2', 'b3', 'l1', 'l2']
SIZE = 64


def config_id(path):
    return str(path.relative_to(CONFIG_DIR))


@functools.lru_cache
def read_config(path):
    return Config.fromfile(path)


def build(cfg):
    """The model, without the ImageNet checkpoint a user downloads."""
    model_cfg = copy.deepcopy(cfg.model)
    model_cfg.backbone.init_cfg = None
    init_default_scope(cfg.default_scope)
    return MODELS.build(model_cfg).eval()


def test_every_recipe_has_its_variants():
    names = {p.stem for p in CONFIG_DIR.glob('*.py')}
    assert names == {r.format(a) for r in RECIPES for a in ['b1', *VARIANTS]}
    assert {p.stem for p in CONFIG_DIR.glob('toy/*.py')} == {
        'fpn_evit_b0_toy_ade20k', 'retinanet_evit_b0_toy_coco'}


@pytest.mark.parametrize('path', CONFIGS, ids=config_id)
def test_config_builds_and_outputs_the_strides_its_head_reads(path):
    cfg = read_config(path)
    assert cfg.custom_imports.imports == ['evit_dense']
    model = build(cfg)
    backbone = model.backbone
    assert isinstance(backbone, EfficientViTMIT)
    arch = re.search(r'_evit_([bl]\d)_', path.name).group(1)
    assert backbone.arch_settings == EfficientViTMIT.parse_arch(arch)
    if 'toy' not in path.parts:
        # MIT's ImageNet classification file name.
        assert cfg.model.backbone.init_cfg == dict(
            type='Pretrained',
            checkpoint=f'checkpoints/efficientvit_{arch}_r224.pt')

    inputs = torch.rand(1, 3, SIZE, SIZE)
    with torch.no_grad():
        if cfg.default_scope == 'mmdet':
            check_detector(model, inputs)
        else:
            check_segmentor(model, inputs)


def check_detector(model, inputs):
    from mmdet.structures import DetDataSample
    feats = model.extract_feat(inputs)
    if hasattr(model, 'rpn_head'):  # Mask R-CNN: P2-P6 for the RPN
        strides = [s for s, _ in model.rpn_head.prior_generator.strides]
        # The RoI extractors read the first four of them.
        assert list(model.roi_head.bbox_roi_extractor.featmap_strides) == (
            strides[:4])
        assert model.backbone.strides == [4, 8, 16, 32]
        sample = DetDataSample(metainfo=dict(
            img_shape=(SIZE, SIZE), ori_shape=(SIZE, SIZE),
            scale_factor=(1., 1.)))
        outputs = model(inputs, [sample], mode='tensor')
    else:  # RetinaNet: P3-P7
        strides = [s for s, _ in model.bbox_head.prior_generator.strides]
        assert model.backbone.strides == [8, 16, 32]
        cls_scores, bbox_preds = model(inputs, mode='tensor')
        assert len(cls_scores) == len(bbox_preds) == len(strides)
        outputs = cls_scores
    assert all(b == 2 * a for a, b in zip(strides, strides[1:]))
    assert outputs
    assert len(feats) == len(strides)
    for feat, stride in zip(feats, strides):
        assert feat.shape[-2:] == (math.ceil(SIZE / stride),) * 2, stride


def check_segmentor(model, inputs):
    logits = model(inputs, mode='tensor')
    head = model.decode_head
    assert logits.shape == (1, head.num_classes, SIZE // 4, SIZE // 4)
    assert torch.isfinite(logits).all()
    if model.with_auxiliary_head:
        # The auxiliary FCN head reads the stride-16 map.
        assert model.backbone.strides[model.auxiliary_head.in_index] == 16


@pytest.mark.parametrize('recipe', RECIPES)
@pytest.mark.parametrize('arch', VARIANTS)
def test_variants_change_only_the_backbone_and_widths(recipe, arch):
    def strip(cfg):
        cfg = copy.deepcopy(cfg.to_dict())
        model = cfg['model']
        del model['backbone']['arch'], model['backbone']['init_cfg']
        for key in ('neck', 'decode_head', 'auxiliary_head'):
            model.get(key, {}).pop('in_channels', None)
        return cfg

    variant = read_config(CONFIG_DIR / f'{recipe.format(arch)}.py')
    b1 = read_config(CONFIG_DIR / f'{recipe.format("b1")}.py')
    assert strip(variant) == strip(b1)


@pytest.mark.parametrize('recipe', RECIPES)
def test_adamw_without_decay_on_norms(recipe):
    cfg = read_config(CONFIG_DIR / f'{recipe.format("b1")}.py')
    assert cfg.optim_wrapper.optimizer.type == 'AdamW'
    assert cfg.optim_wrapper.paramwise_cfg == dict(norm_decay_mult=0.,
                                                   bias_decay_mult=0.)
