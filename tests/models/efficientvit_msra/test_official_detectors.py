"""The released mmdet 2.x RetinaNet-M4 and Mask R-CNN-M4 checkpoints, whole,
in our mmdet 3.x configs: every loading path reproduces the official outputs.
"""
import itertools
import logging

import numpy as np
import pytest
import torch
from mmdet.registry import MODELS
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint

from evit_dense.models.common.checkpoint import CheckpointMismatchError
from tests.conftest import REPO_ROOT, fixture_path, relative_error
from tests.tools.test_convert_checkpoint import run_converter

CONFIGS = {'retinanet_m4': 'retinanet_evit_m4_coco.py',
           'mask_rcnn_m4': 'mask_rcnn_evit_m4_coco.py'}
TOLERANCE = 1e-4


def attention_bias_idxs(resolution):
    """The official index table: offsets (|dy|, |dx|) numbered by first
    appearance over all pairs of window points, in row-major order."""
    points = list(itertools.product(range(resolution), range(resolution)))
    offsets, idxs = {}, []
    for (y1, x1), (y2, x2) in itertools.product(points, points):
        idxs.append(offsets.setdefault((abs(y1 - y2), abs(x1 - x2)), len(offsets)))
    return torch.tensor(idxs).view(len(points), len(points))


def official_state_dict(reference):
    """Regenerate the official weights (recipe in the fixtures' README)."""
    state_dict = {}
    for i, (key, shape, std) in enumerate(zip(
            reference['keys'], reference['shapes'], reference['stds'])):
        rng = np.random.default_rng([reference['seed'], i])
        if key.endswith('num_batches_tracked'):
            value = torch.zeros(shape, dtype=torch.int64)
        elif key.endswith('attention_bias_idxs'):
            value = attention_bias_idxs(int(np.sqrt(shape[0])))
        elif key.endswith('running_var'):
            value = torch.from_numpy(rng.uniform(0.5, 1.5, size=shape))
        else:
            value = torch.from_numpy(rng.normal(0, std, size=shape))
        state_dict[key] = value.float() if value.is_floating_point() else value
    return state_dict


def build_detector(name):
    cfg = Config.fromfile(REPO_ROOT / 'configs' / CONFIGS[name])
    cfg.model.backbone.init_cfg = None
    init_default_scope('mmdet')
    return MODELS.build(cfg.model).eval()


class LogLines(logging.Handler):

    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@pytest.fixture
def log_lines():
    logger = MMLogger.get_current_instance()
    handler = LogLines()
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


@pytest.fixture(scope='module')
def references():
    return torch.load(fixture_path('official_detector_reference.pt'),
                      weights_only=True)


@pytest.fixture(scope='module')
def official_checkpoints(references, tmp_path_factory):
    """Files in the layout of the released official checkpoints."""
    root = tmp_path_factory.mktemp('official')
    paths = {}
    for name, reference in references.items():
        paths[name] = root / f'{name}.pth'
        torch.save({'state_dict': official_state_dict(reference),
                    'meta': {'mmdet_version': '2.28.2',
                             'CLASSES': [f'class{i}' for i in range(80)]}},
                   paths[name])
    return paths


@pytest.fixture(scope='module')
def detectors():
    """One model per config, shared: every test loads a whole checkpoint
    into it (strictly where it expects success), so none sees another's
    weights."""
    return {name: build_detector(name) for name in CONFIGS}


def outputs(model, case):
    """What the fixture records: neck, dense head and RoI head outputs."""
    image = torch.from_numpy(np.random.default_rng(case['input_seed']).normal(
        size=(1, 3, *case['hw'])).astype(np.float32))
    with torch.no_grad():
        feats = model.neck(model.backbone(image))
        result = {'neck_outputs': list(feats)}
        if 'rois' not in case:
            cls_scores, bbox_preds = model.bbox_head(feats)
            result.update(cls_scores=cls_scores, bbox_preds=bbox_preds)
            return result
        rpn_cls, rpn_reg = model.rpn_head(feats)
        bbox = model.roi_head._bbox_forward(feats, case['rois'])
        mask = model.roi_head._mask_forward(feats, case['rois'])
    result.update(rpn_cls=rpn_cls, rpn_reg=rpn_reg,
                  cls_score=bbox['cls_score'], bbox_pred=bbox['bbox_pred'],
                  mask_pred=mask['mask_preds'])
    return result


def assert_matches_official(model, reference):
    for case in reference['cases']:
        expected = {'neck_outputs': case['neck_outputs'],
                    **case['head_outputs']}
        actual = outputs(model, case)
        assert set(actual) == set(expected)
        for key, values in expected.items():
            if isinstance(values, torch.Tensor):
                values, got = [values], [actual[key]]
            else:
                got = actual[key]
            assert len(got) == len(values), key
            for level, (out, ref) in enumerate(zip(got, values)):
                assert out.shape == ref.shape, (key, level)
                assert relative_error(out, ref) < TOLERANCE, (key, level)


def test_official_settings_are_the_configs(references, detectors):
    for name, reference in references.items():
        model = detectors[name]
        settings = dict(reference['neck_cfg'])
        settings.setdefault('add_extra_convs', False)
        for key, value in settings.items():
            assert getattr(model.neck, key) == value, (name, key)
        dense_head = model.bbox_head if name == 'retinanet_m4' else model.rpn_head
        strides = [stride for stride, _ in dense_head.prior_generator.strides]
        assert strides == reference['out_strides']


@pytest.mark.parametrize('name', list(CONFIGS))
@pytest.mark.parametrize('path', ['load_from', 'converted'])
def test_official_checkpoint_reproduces_official_outputs(
        references, official_checkpoints, detectors, name, path, tmp_path,
        log_lines):
    checkpoint = official_checkpoints[name]
    if path == 'converted':
        converted = tmp_path / 'converted.pth'
        run_converter(checkpoint, converted)
        checkpoint = converted
    model = detectors[name]
    # What Runner's load_from, mmdet's tools/test.py and ours do.
    load_checkpoint(model, str(checkpoint), map_location='cpu', strict=True)
    conversions = [line for line in log_lines if 'Converted official' in line]
    assert len(conversions) == (1 if path == 'load_from' else 0)
    assert_matches_official(model, references[name])


def test_converted_checkpoint_is_ours(official_checkpoints, detectors, tmp_path):
    converted = tmp_path / 'converted.pth'
    run_converter(official_checkpoints['mask_rcnn_m4'], converted)
    checkpoint = torch.load(converted, weights_only=True)
    assert checkpoint['meta']['source_format'] == 'official'
    assert checkpoint['meta']['dataset_meta']['classes'][:2] == ('class0', 'class1')
    model_state = detectors['mask_rcnn_m4'].state_dict()
    assert set(checkpoint['state_dict']) == set(model_state)


def test_own_checkpoint_loads_unchanged(detectors, tmp_path, log_lines):
    model = build_detector('retinanet_m4')
    path = tmp_path / 'epoch_1.pth'
    torch.save({'meta': {'epoch': 1}, 'state_dict': model.state_dict()}, path)
    reloaded = detectors['retinanet_m4']
    load_checkpoint(reloaded, str(path), strict=True)
    reloaded_state = reloaded.state_dict()
    for key, value in model.state_dict().items():
        assert torch.equal(reloaded_state[key], value), key
    assert not any('Converted' in line for line in log_lines)


def test_checkpoint_of_another_arch_is_an_error(
        official_backbones, official_checkpoints, detectors, tmp_path):
    """An M0 detector checkpoint given to the M4 RetinaNet."""
    checkpoint = torch.load(official_checkpoints['retinanet_m4'],
                            weights_only=True)
    state = {k: v for k, v in checkpoint['state_dict'].items()
             if not k.startswith('backbone.')}
    state.update({f'backbone.{k}': v for k, v in
                  official_backbones['M0']['state_dict'].items()})
    path = tmp_path / 'retinanet_m0.pth'
    torch.save({'state_dict': state}, path)
    with pytest.raises(CheckpointMismatchError, match='another arch'):
        load_checkpoint(detectors['retinanet_m4'], str(path))


def test_resnet_detector_checkpoint_is_an_error(detectors, tmp_path):
    path = tmp_path / 'retinanet_r50.pth'
    torch.save({'state_dict': {
        'backbone.conv1.weight': torch.ones(64, 3, 7, 7),
        'backbone.layer1.0.conv1.weight': torch.ones(64, 64, 1, 1),
        'neck.lateral_convs.0.conv.weight': torch.ones(256, 512, 1, 1)}}, path)
    with pytest.raises(CheckpointMismatchError, match='Not an EfficientViT'):
        load_checkpoint(detectors['retinanet_m4'], str(path))


@pytest.mark.parametrize('layout', ['official', 'timm'])
def test_classification_checkpoint_given_to_a_detector_is_an_error(
        official_backbones, detectors, layout, tmp_path):
    state = official_backbones['M4']['state_dict']
    if layout == 'timm':
        state = detectors['retinanet_m4'].backbone.state_dict()
    path = tmp_path / 'imagenet.pth'
    torch.save({'model': state} if layout == 'official' else state, path)
    with pytest.raises(CheckpointMismatchError, match="no 'backbone.' weights"):
        load_checkpoint(detectors['retinanet_m4'], str(path))


def test_checkpoint_of_another_detector_is_an_error(official_checkpoints,
                                                    detectors):
    """Mask R-CNN's neck has another transposed conv and no stride-128 conv."""
    with pytest.raises(CheckpointMismatchError,
                       match='do not fit this EfficientViTFPN'):
        load_checkpoint(detectors['retinanet_m4'],
                        str(official_checkpoints['mask_rcnn_m4']))
