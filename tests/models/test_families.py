"""The family table: every arch, backbone and checkpoint finds its family,
and everything else is refused by name."""
import pytest
import torch
from mmengine.config import ConfigDict

from evit_dense.errors import ConfigError, UnknownArchError
from evit_dense.models import EfficientViT, EfficientViTMIT
from evit_dense.models.common.checkpoint import CheckpointMismatchError
from evit_dense.models.efficientvit_mit.released_models import \
    adapt_model_state_dict
from evit_dense.models.families import (FAMILIES, family_of_arch,
                                        family_of_backbone,
                                        family_of_state_dict, require_family)

MSRA, MIT = FAMILIES


@pytest.mark.parametrize('arch, family', [
    *((f'm{i}', MSRA) for i in range(6)),
    *((f'b{i}', MIT) for i in range(4)), *((f'l{i}', MIT) for i in range(4)),
    ('M4', MSRA), ('B1', MIT)])
def test_every_arch_has_its_family(arch, family):
    assert family_of_arch(arch) is family
    assert arch.lower() in family.backbone.arch_zoo


def test_unknown_arch_lists_both_families():
    with pytest.raises(UnknownArchError, match=r"'x1'.*'m0'.*'b0'"):
        family_of_arch('x1')


def test_backbone_modules_configs_and_type_names():
    assert family_of_backbone(EfficientViT(arch='m0')) is MSRA
    assert family_of_backbone(EfficientViTMIT(arch='b0')) is MIT
    assert family_of_backbone(dict(type='EfficientViTMIT')) is MIT
    assert family_of_backbone('mmdet.EfficientViT') is MSRA
    assert family_of_backbone(dict(type='ResNet', depth=18)) is None


def test_require_family_names_the_other_backbone():
    cfg = ConfigDict(model=dict(backbone=dict(type='ResNet')))
    with pytest.raises(ConfigError, match='this config has ResNet'):
        require_family(cfg, 'a tool')
    cfg.model.backbone.type = 'EfficientViTMIT'
    assert require_family(cfg, 'a tool') is MIT


@pytest.mark.parametrize('family, arch', [(MSRA, 'm0'), (MIT, 'b0')])
def test_state_dicts_find_their_family_and_convert(family, arch):
    state = family.backbone(arch=arch).state_dict()
    assert family_of_state_dict(state) is family
    converted, fmt, kind = family.convert(state)
    assert (fmt, kind) == ('timm', 'backbone')
    assert converted.keys() == state.keys()
    whole = {f'backbone.{k}': v for k, v in state.items()}
    whole['neck.conv.weight'] = torch.ones(1)
    assert family_of_state_dict(whole) is family
    converted, fmt, kind = family.convert(whole)
    assert kind == 'model' and 'neck.conv.weight' in converted


def test_official_and_mit_layouts_are_recognised(mit):
    assert family_of_state_dict(
        {'blocks1.0.mixer.m.attn.qkvs.0.c.weight': torch.ones(1)}) is MSRA
    assert family_of_state_dict(mit.build('b0').state_dict()) is MIT


def test_a_foreign_state_dict_is_an_error():
    with pytest.raises(CheckpointMismatchError,
                       match=r'Not an EfficientViT checkpoint.*conv1.weight'):
        family_of_state_dict({'conv1.weight': torch.ones(1)})


def test_only_mits_family_has_released_layouts_of_its_own():
    # registered with the runtime; tests/models/efficientvit_mit/
    # test_seg_head.py loads such a file through MMEngine
    assert [f.adapt_model_state_dict for f in FAMILIES] == [
        None, adapt_model_state_dict]


def test_deploy_keeps_outputs():
    backbone = EfficientViTMIT(arch='b0').eval()
    x = torch.rand(1, 3, 64, 64)
    with torch.no_grad():
        before = backbone(x)
        after = MIT.deploy(backbone)(x)
    for a, b in zip(before, after):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
