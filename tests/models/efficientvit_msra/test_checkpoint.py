import pytest
import torch

from evit_dense.models import EfficientViT
from evit_dense.models.common.backbone import load_pretrained
from evit_dense.models.common.checkpoint import CheckpointMismatchError
from evit_dense.models.efficientvit_msra.checkpoint import (
    convert_backbone_state_dict, convert_official_key)
from tests.conftest import relative_error

ARCHS = {'M0': 'm0', 'M4': 'm4'}


def official_to_ours(state_dict):
    return {convert_official_key(k): v for k, v in state_dict.items()
            if not k.endswith('attention_bias_idxs')}


def checkpoint_in(fmt, official_state):
    """The same official weights in each layout users have."""
    if fmt == 'official':
        head = {'head.bn.weight': torch.ones(8), 'head.l.weight': torch.ones(10, 8)}
        return {'model': {**official_state, **head}}
    if fmt == 'timm':
        return {**official_to_ours(official_state),
                'head.linear.weight': torch.ones(10, 8)}
    if fmt == 'mmdet2':
        detector = {f'backbone.{k}': v for k, v in official_state.items()}
        detector['neck.lateral_convs.0.conv.weight'] = torch.ones(1)
        return {'state_dict': detector, 'meta': {'epoch': 12}}
    if fmt == 'evit_dense':
        return {'state_dict': official_to_ours(official_state), 'meta': {}}
    raise ValueError(fmt)


@pytest.mark.parametrize('variant', ['M0', 'M4'])
@pytest.mark.parametrize('fmt', ['official', 'timm', 'mmdet2', 'evit_dense'])
def test_parity_with_official_outputs(official_backbones, variant, fmt, tmp_path):
    reference = official_backbones[variant]
    path = tmp_path / 'ckpt.pth'
    torch.save(checkpoint_in(fmt, reference['state_dict']), path)
    model = EfficientViT(arch=ARCHS[variant],
                         init_cfg=dict(type='Pretrained', checkpoint=str(path)))
    result = load_pretrained(model, str(path))
    assert result.missing_keys == [] and result.unexpected_keys == []
    model.init_weights()
    model.eval()
    for case in reference['cases']:
        with torch.no_grad():
            outs = model(case['input'])
        for out, expected in zip(outs, case['outputs']):
            assert out.shape == expected.shape
            assert relative_error(out, expected) < 1e-4


def test_format_detection(official_backbones):
    official = official_backbones['M0']['state_dict']
    assert convert_backbone_state_dict({'model': official})[1] == 'official'
    converted, fmt = convert_backbone_state_dict(official_to_ours(official))
    assert fmt == 'timm'
    assert not any('attention_bias_idxs' in k for k in converted)


def test_official_key_renaming():
    assert convert_official_key('patch_embed.4.c.weight') == 'patch_embed.conv3.conv.weight'
    assert convert_official_key('patch_embed.6.bn.bias') == 'patch_embed.conv4.bn.bias'
    assert (convert_official_key('blocks1.0.mixer.m.attn.qkvs.0.c.weight')
            == 'stages.0.blocks.0.mixer.m.attn.qkvs.0.conv.weight')
    assert convert_official_key('blocks2.0.1.m.pw1.c.weight') == 'stages.1.downsample.res1.1.m.pw1.conv.weight'
    assert convert_official_key('blocks2.1.se.fc1.bias') == 'stages.1.downsample.patchmerge.se.fc1.bias'
    assert convert_official_key('blocks3.2.0.m.bn.weight') == 'stages.2.downsample.res2.0.m.bn.weight'
    assert convert_official_key('blocks3.5.dw1.m.c.weight') == 'stages.2.blocks.2.dw1.m.conv.weight'


def test_every_model_key_is_covered_by_the_renaming(official_backbones):
    for variant, arch in ARCHS.items():
        converted, _ = convert_backbone_state_dict(
            {'model': official_backbones[variant]['state_dict']})
        assert set(converted) == set(EfficientViT(arch=arch).state_dict())


def test_imagenet_bias_tables_are_resized(official_backbones, tmp_path):
    """ImageNet checkpoints learn the last stage at 4x4; our window is 7x7."""
    state = dict(official_backbones['M0']['state_dict'])
    key = 'blocks3.3.mixer.m.attn.attention_biases'
    state[key] = torch.full((4, 16), 0.75)
    path = tmp_path / 'imagenet.pth'
    torch.save({'model': state}, path)
    model = EfficientViT(arch='m0')
    load_pretrained(model, str(path))
    loaded = model.stages[2].blocks[0].mixer.m.attn.attention_biases
    assert loaded.shape == (4, 49)
    torch.testing.assert_close(loaded, torch.full((4, 49), 0.75))


def test_checkpoint_of_another_arch_is_an_error(official_backbones, tmp_path):
    path = tmp_path / 'm0.pth'
    torch.save({'model': official_backbones['M0']['state_dict']}, path)
    with pytest.raises(CheckpointMismatchError, match='differ in shape'):
        load_pretrained(EfficientViT(arch='m4'), str(path))


def test_non_efficientvit_checkpoint_is_an_error(tmp_path):
    path = tmp_path / 'resnet.pth'
    torch.save({'state_dict': {'conv1.weight': torch.ones(64, 3, 7, 7),
                               'layer1.0.conv1.weight': torch.ones(1)}}, path)
    with pytest.raises(CheckpointMismatchError, match='Not an EfficientViT'):
        load_pretrained(EfficientViT(arch='m0'), str(path))


def test_missing_checkpoint_file_is_named():
    model = EfficientViT(arch='m0', init_cfg=dict(type='Pretrained',
                                                  checkpoint='nowhere/m0.pth'))
    with pytest.raises(FileNotFoundError, match='nowhere/m0.pth'):
        model.init_weights()
