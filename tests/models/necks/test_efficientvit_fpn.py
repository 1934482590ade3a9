import functools

import pytest
import torch
from mmengine.config import Config

from evit_dense.models import EfficientViT, EfficientViTFPN
from evit_dense.models.common.checkpoint import CheckpointMismatchError
from tests.conftest import REPO_ROOT, saved_activation_bytes

IN_CHANNELS = [16, 24, 32]
BACKBONE_STRIDES = EfficientViT(arch='m0').strides  # 16, 32, 64
SIZE = (128, 256)  # divisible by 128: every level has an exact stride


def backbone_maps(channels=IN_CHANNELS, size=SIZE):
    return [torch.rand(1, c, size[0] // s, size[1] // s)
            for c, s in zip(channels, BACKBONE_STRIDES)]


def output_strides(outs, size=SIZE):
    strides = []
    for out in outs:
        assert size[0] * out.shape[3] == size[1] * out.shape[2]
        strides.append(size[0] // out.shape[2])
    return strides


@pytest.mark.parametrize('settings, strides', [
    (dict(num_outs=5, num_extra_trans_convs=1, add_extra_convs='on_input'),
     [8, 16, 32, 64, 128]),
    (dict(num_outs=5, num_extra_trans_convs=2), [4, 8, 16, 32, 64]),
    (dict(num_outs=4, num_extra_trans_convs=2), [4, 8, 16, 32]),
    (dict(num_outs=6, num_extra_trans_convs=2), [4, 8, 16, 32, 64, 128]),
    (dict(num_outs=4, add_extra_convs='on_output'), [16, 32, 64, 128]),
    (dict(num_outs=4, start_level=1, add_extra_convs='on_lateral',
          num_extra_trans_convs=1), [16, 32, 64, 128]),
])
def test_level_strides_and_shapes(settings, strides):
    neck = EfficientViTFPN(IN_CHANNELS, 8, **settings).eval()
    with torch.no_grad():
        outs = neck(backbone_maps())
    assert output_strides(outs) == strides
    assert all(out.shape[:2] == (1, 8) for out in outs)


def lookup(cfg, dotted_path):
    return list(functools.reduce(getattr, dotted_path.split('.'), cfg))


@pytest.mark.parametrize('config, head_strides', [
    ('retinanet_evit_m4_coco.py', ['bbox_head.anchor_generator.strides']),
    ('mask_rcnn_evit_m4_coco.py', ['rpn_head.anchor_generator.strides',
                                   'roi_head.bbox_roi_extractor.featmap_strides',
                                   'roi_head.mask_roi_extractor.featmap_strides']),
])
def test_levels_have_the_strides_the_heads_expect(config, head_strides):
    model = Config.fromfile(REPO_ROOT / 'configs' / config).model
    neck = EfficientViTFPN(**{k: v for k, v in model.neck.items()
                              if k != 'type'}).eval()
    with torch.no_grad():
        strides = output_strides(neck(backbone_maps(model.neck.in_channels)))
    dense_head_strides = lookup(model, head_strides[0])
    assert strides == dense_head_strides
    for path in head_strides[1:]:
        # RoI extractors read the finest levels.
        expected = lookup(model, path)
        assert strides[:len(expected)] == expected


def test_official_module_layout():
    """The names and shapes of the released mmdet 2.x checkpoints."""
    neck = EfficientViTFPN([128, 256, 384], 256, 5, add_extra_convs='on_input',
                           num_extra_trans_convs=1)
    shapes = {k: tuple(v.shape) for k, v in neck.state_dict().items()}
    assert shapes['extra_trans_convs.0.conv.weight'] == (256, 256, 2, 2)
    assert shapes['extra_trans_convs.0.conv.bias'] == (256,)
    assert shapes['fpn_convs.3.conv.weight'] == (256, 384, 3, 3)
    assert isinstance(neck.extra_trans_convs[0].conv, torch.nn.ConvTranspose2d)
    assert len(shapes) == 2 * (3 + 4 + 1 + 1)


def test_a_map_without_output_still_feeds_the_finer_levels():
    """A change of the stride-64 input reaches the stride-4 output only
    through the top-down path into the transposed convs."""
    neck = EfficientViTFPN(IN_CHANNELS, 8, 4, num_extra_trans_convs=2).eval()
    maps = backbone_maps()
    changed = [m.clone() for m in maps]
    changed[2] += 1
    with torch.no_grad():
        before, after = neck(maps), neck(changed)
    assert not torch.allclose(before[0], after[0])
    assert not any(k.startswith('fpn_convs.2') for k in neck.state_dict())


def test_gradients_reach_every_parameter():
    neck = EfficientViTFPN(IN_CHANNELS, 8, 5, add_extra_convs='on_input',
                           num_extra_trans_convs=1)
    maps = [m.requires_grad_() for m in backbone_maps()]
    sum(out.square().mean() for out in neck(maps)).backward()
    assert [n for n, p in neck.named_parameters() if p.grad is None] == []
    assert all(m.grad is not None for m in maps)


def test_with_cp_same_outputs_and_gradients_fewer_activations():
    maps = backbone_maps(size=(256, 384))
    results, kept = [], []
    for with_cp in (False, True):
        torch.manual_seed(0)
        neck = EfficientViTFPN(IN_CHANNELS, 32, 5, num_extra_trans_convs=2,
                               with_cp=with_cp).train()
        inputs = [m.clone().requires_grad_() for m in maps]
        kept.append(saved_activation_bytes(lambda: results.append(
            neck(inputs))))
        sum(out.square().mean() for out in results[-1]).backward()
        results.append([m.grad for m in inputs] +
                       [p.grad for p in neck.parameters()])
    outs, grads, outs_cp, grads_cp = results
    for a, b in zip([*outs, *grads], [*outs_cp, *grads_cp], strict=True):
        torch.testing.assert_close(a, b)
    # only the inputs are kept; the stride-8/4 maps are recomputed
    assert kept[1] < 0.1 * kept[0]


@pytest.mark.parametrize('kwargs, match', [
    (dict(num_outs=2, num_extra_trans_convs=2), 'must exceed'),
    (dict(num_outs=3, add_extra_convs='on_top'), 'add_extra_convs'),
    (dict(num_outs=3, start_level=3), 'start_level'),
])
def test_bad_settings_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        EfficientViTFPN(IN_CHANNELS, 8, **kwargs)


def test_wrong_number_of_inputs_is_named():
    neck = EfficientViTFPN(IN_CHANNELS, 8, 3)
    with pytest.raises(ValueError, match='expects 3 input maps, got 2'):
        neck(backbone_maps()[:2])


def test_checkpoint_of_another_neck_is_an_error():
    retinanet = EfficientViTFPN(IN_CHANNELS, 8, 5, add_extra_convs='on_input',
                                num_extra_trans_convs=1)
    mask_rcnn = EfficientViTFPN(IN_CHANNELS, 8, 5, num_extra_trans_convs=2)
    with pytest.raises(CheckpointMismatchError, match='extra_trans_convs.1'):
        retinanet.load_state_dict(mask_rcnn.state_dict())
    retinanet.load_state_dict(retinanet.state_dict())


@pytest.mark.parametrize('registry_module', ['mmdet.registry', 'mmseg.registry'])
def test_builds_from_mmdet_and_mmseg(registry_module):
    registry = __import__(registry_module, fromlist=['MODELS']).MODELS
    neck = registry.build(dict(type='EfficientViTFPN', in_channels=IN_CHANNELS,
                               out_channels=8, num_outs=4,
                               num_extra_trans_convs=2))
    assert isinstance(neck, EfficientViTFPN)
