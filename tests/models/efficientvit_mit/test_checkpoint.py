import pytest
import torch
import torch.nn as nn
from mmengine.runner import load_checkpoint

from evit_dense.models import EfficientViT, EfficientViTMIT
from evit_dense.models.common.checkpoint import CheckpointMismatchError
from evit_dense.models.efficientvit_mit.checkpoint import (
    convert_backbone_state_dict, convert_mit_backbone_key)
from tests.conftest import relative_error


@pytest.fixture(scope='module')
def mit_weights(mit):
    """MIT's B1 and L0 backbones with seeded weights, and their outputs."""
    weights = {}
    x = mit.seeded_input((96, 128), seed=7)
    for arch in ('b1', 'l0'):
        reference = mit.build(arch, zoo_eps=True)
        reference.load_state_dict(mit.seeded_state_dict(reference, seed=2))
        with torch.no_grad():
            outputs = [reference(x)[f'stage{i}'] for i in range(1, 5)]
        weights[arch] = (reference.state_dict(), outputs)
    return x, weights


def ours(mit_state):
    return convert_backbone_state_dict(mit_state)[0]


def checkpoint_in(fmt, mit_state):
    """The same weights in each layout users have."""
    if fmt == 'mit_classification':  # efficientvit_b1_r224.pt
        return {'state_dict': {**{f'backbone.{k}': v for k, v in mit_state.items()},
                               'head.op_list.0.conv.weight': torch.ones(8, 4, 1, 1)}}
    if fmt == 'mit_classification_bare':
        return {f'backbone.{k}': v for k, v in mit_state.items()}
    if fmt == 'mit_segmentation':  # efficientvit_seg_b1_ade20k.pt
        return {'state_dict': {**{f'backbone.{k}': v for k, v in mit_state.items()},
                               'head.input_ops.0.conv.weight': torch.ones(1)}}
    if fmt == 'timm':
        return {**ours(mit_state), 'head.in_conv.conv.weight': torch.ones(1),
                'head.classifier.4.weight': torch.ones(1000, 8)}
    if fmt == 'evit_dense':
        return {'state_dict': ours(mit_state), 'meta': {}}
    raise ValueError(fmt)


@pytest.mark.parametrize('arch', ['b1', 'l0'])
@pytest.mark.parametrize('fmt', ['mit_classification', 'mit_classification_bare',
                                 'mit_segmentation', 'timm', 'evit_dense'])
def test_every_format_reproduces_mit_outputs(mit_weights, arch, fmt, tmp_path):
    x, weights = mit_weights
    state, expected = weights[arch]
    path = tmp_path / 'ckpt.pth'
    torch.save(checkpoint_in(fmt, state), path)
    model = EfficientViTMIT(arch=arch, init_cfg=dict(type='Pretrained',
                                                     checkpoint=str(path)))
    model.init_weights()
    with torch.no_grad():
        outs = model.eval()(x)
    for out, target in zip(outs, expected, strict=True):
        assert relative_error(out, target) < 1e-4


@pytest.mark.parametrize('arch', sorted(EfficientViTMIT.arch_zoo))
def test_renaming_covers_every_key_of_every_arch(mit, arch):
    mit_keys = mit.build(arch).state_dict()
    converted = ours(mit_keys)
    assert set(converted) == set(EfficientViTMIT(arch=arch).state_dict())


def test_key_renaming():
    assert (convert_mit_backbone_key('input_stem.op_list.0.conv.weight', False)
            == 'stem.in_conv.conv.weight')
    assert (convert_mit_backbone_key('input_stem.op_list.1.main.depth_conv.norm.bias', False)
            == 'stem.res0.main.depth_conv.norm.bias')
    assert (convert_mit_backbone_key('stages.2.op_list.1.context_module.main.qkv.conv.weight', False)
            == 'stages.2.blocks.1.context_module.main.qkv.conv.weight')
    # L: MIT's stage 0 is the stem
    assert (convert_mit_backbone_key('stages.0.op_list.1.main.conv1.conv.weight', True)
            == 'stem.res0.main.conv1.conv.weight')
    assert (convert_mit_backbone_key('stages.4.op_list.0.main.point_conv.norm.weight', True)
            == 'stages.3.blocks.0.main.point_conv.norm.weight')


def save_mit(mit, arch, path):
    torch.save({'state_dict': {f'backbone.{k}': v for k, v in
                               mit.build(arch).state_dict().items()}}, path)
    return str(path)


@pytest.mark.parametrize('found, model_arch', [('b1', 'b2'), ('l2', 'l1'),
                                               ('l1', 'l2')])
def test_checkpoint_of_another_arch_names_both(mit, tmp_path, found, model_arch):
    """Other widths, and also the same widths with other depths (L1 vs L2),
    which a non-strict load would half-load."""
    path = save_mit(mit, found, tmp_path / 'ckpt.pt')
    model = EfficientViTMIT(arch=model_arch,
                            init_cfg=dict(type='Pretrained', checkpoint=path))
    with pytest.raises(CheckpointMismatchError,
                       match=f"arch '{model_arch}'.*arch '{found}'"):
        model.init_weights()


def test_m_family_checkpoint_is_refused_by_name(tmp_path):
    path = tmp_path / 'm0.pth'
    torch.save({'state_dict': EfficientViT(arch='m0').state_dict()}, path)
    model = EfficientViTMIT(arch='b1', init_cfg=dict(type='Pretrained',
                                                     checkpoint=str(path)))
    with pytest.raises(CheckpointMismatchError, match=r'M0-M5'):
        model.init_weights()


def test_mit_checkpoint_is_refused_by_the_m_family(mit, tmp_path):
    path = save_mit(mit, 'b1', tmp_path / 'b1.pt')
    model = EfficientViT(arch='m0', init_cfg=dict(type='Pretrained',
                                                  checkpoint=path))
    with pytest.raises(CheckpointMismatchError, match="EfficientViTMIT"):
        model.init_weights()


def test_non_efficientvit_checkpoint_is_an_error(tmp_path):
    path = tmp_path / 'resnet.pth'
    torch.save({'state_dict': {'conv1.weight': torch.ones(64, 3, 7, 7)}}, path)
    model = EfficientViTMIT(arch='b0', init_cfg=dict(type='Pretrained',
                                                     checkpoint=str(path)))
    with pytest.raises(CheckpointMismatchError, match="Not a checkpoint of MIT"):
        model.init_weights()


class TinyDetector(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = EfficientViTMIT(arch='b0')
        self.neck = nn.Conv2d(128, 8, 1)


def test_classification_file_as_whole_model_is_an_error(mit, tmp_path):
    """load_from / tools/test.py with MIT's ImageNet file would load the
    backbone and leave the rest random: refused, pointing to init_cfg."""
    path = tmp_path / 'efficientvit_b0_r224.pt'
    state = {f'backbone.{k}': v for k, v in mit.build('b0').state_dict().items()}
    state['head.op_list.0.conv.weight'] = torch.ones(1)
    torch.save({'state_dict': state}, path)
    with pytest.raises(CheckpointMismatchError, match='init_cfg'):
        load_checkpoint(TinyDetector(), str(path))


def test_whole_model_load_converts_mit_backbone(mit, tmp_path):
    model = TinyDetector()
    state = {f'backbone.{k}': v for k, v in mit.build('b0').state_dict().items()}
    state.update({f'neck.{k}': v for k, v in model.neck.state_dict().items()})
    path = tmp_path / 'detector.pth'
    torch.save({'state_dict': state}, path)
    load_checkpoint(model, str(path), strict=True)
    torch.testing.assert_close(model.backbone.stem.in_conv.conv.weight,
                               state['backbone.input_stem.op_list.0.conv.weight'])
