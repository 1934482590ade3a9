import importlib.util

import pytest
import torch

from evit_dense.models import EfficientViT, EfficientViTMIT
from tests.conftest import REPO_ROOT


def run_converter(*argv):
    """``python tools/convert_checkpoint.py ARGV``, in this process."""
    spec = importlib.util.spec_from_file_location(
        'convert_checkpoint', REPO_ROOT / 'tools' / 'convert_checkpoint.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main([str(arg) for arg in argv])


def test_official_imagenet_checkpoint_becomes_a_pretrained_backbone(
        official_backbones, tmp_path):
    reference = official_backbones['M0']
    src, dst = tmp_path / 'efficientvit_m0.pth', tmp_path / 'out' / 'm0.pth'
    torch.save({'model': {**reference['state_dict'],
                          'head.l.weight': torch.ones(1000, 192)}}, src)
    run_converter(src, dst)
    converted = torch.load(dst, weights_only=True)
    assert converted['meta']['source_format'] == 'official'
    assert converted['meta']['kind'] == 'backbone'
    model = EfficientViT(arch='m0')
    assert set(converted['state_dict']) == set(model.state_dict())
    model = EfficientViT(arch='m0', init_cfg=dict(type='Pretrained',
                                                  checkpoint=str(dst)))
    model.init_weights()
    case = reference['cases'][0]
    with torch.no_grad():
        out = model.eval()(case['input'])[0]
    torch.testing.assert_close(out, case['outputs'][0], rtol=1e-4, atol=1e-4)


def test_resnet_checkpoint_is_refused(tmp_path):
    src = tmp_path / 'retinanet_r50.pth'
    torch.save({'state_dict': {'backbone.conv1.weight': torch.ones(64, 3, 7, 7),
                               'neck.fpn_convs.0.conv.weight': torch.ones(1)}},
               src)
    with pytest.raises(SystemExit, match='Not an EfficientViT checkpoint'):
        run_converter(src, tmp_path / 'out.pth')
    assert not (tmp_path / 'out.pth').exists()


def test_missing_file_is_named(tmp_path):
    with pytest.raises(SystemExit, match='nowhere.pth" does not exist'):
        run_converter(tmp_path / 'nowhere.pth', tmp_path / 'out.pth')


def test_existing_destination_is_not_overwritten(official_backbones, tmp_path):
    src, dst = tmp_path / 'm0.pth', tmp_path / 'existing.pth'
    torch.save({'model': official_backbones['M0']['state_dict']}, src)
    dst.write_bytes(b'keep me')
    with pytest.raises(SystemExit, match='--overwrite'):
        run_converter(src, dst)
    assert dst.read_bytes() == b'keep me'
    run_converter(src, dst, '--overwrite')
    assert 'state_dict' in torch.load(dst, weights_only=True)


def mit_file(mit, arch, head):
    state = {f'backbone.{k}': v for k, v in mit.build(arch).state_dict().items()}
    return {'state_dict': {**state, **head}}


def test_mit_imagenet_file_becomes_a_pretrained_backbone(mit, tmp_path):
    src, dst = tmp_path / 'efficientvit_b0_r224.pt', tmp_path / 'b0.pth'
    torch.save(mit_file(mit, 'b0', {'head.op_list.0.conv.weight':
                                    torch.ones(1)}), src)
    run_converter(src, dst)
    converted = torch.load(dst, weights_only=True)
    assert converted['meta'] == dict(converted_from=src.name,
                                          source_format='mit', kind='backbone')
    assert set(converted['state_dict']) == set(
        EfficientViTMIT(arch='b0').state_dict())


def test_mit_segmentation_file_becomes_a_whole_model(mit, tmp_path):
    seg = mit.build_seg('b0', 'cityscapes')
    src, dst = tmp_path / 'efficientvit_seg_b0_cityscapes.pt', tmp_path / 'seg.pth'
    torch.save({'state_dict': seg.state_dict()}, src)
    run_converter(src, dst)
    converted = torch.load(dst, weights_only=True)
    assert converted['meta']['kind'] == 'model'
    keys = set(converted['state_dict'])
    assert 'backbone.stem.in_conv.conv.weight' in keys
    # MIT lists the head's inputs coarsest first; ours follow the backbone
    assert converted['state_dict']['decode_head.lateral_convs.2.conv.weight'] \
        .shape[1] == 128
    assert {'decode_head.expand_conv.conv.weight',
            'decode_head.conv_seg.weight'} <= keys
    assert not any(k.startswith('head.') for k in keys)
