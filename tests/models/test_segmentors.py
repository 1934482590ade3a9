"""EfficientViT in mmseg's EncoderDecoder: the shipped UperNet and semantic
FPN configs, and decode heads a user may pick instead."""
import math
from pathlib import Path

import pytest
import torch
from mmengine.config import Config, ConfigDict
from mmengine.model import revert_sync_batchnorm
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

import evit_dense  # noqa: F401  registers the backbone for dict configs

CONFIGS = Path(__file__).resolve().parents[2] / 'configs'
ARCHS = ('m0', 'm1', 'm2', 'm3', 'm4', 'm5')
NUM_CLASSES = 150


def load_config(name):
    """A shipped config, slimmed for speed: tiny crops (training pads every
    image to the crop) and a narrow decode head."""
    cfg = Config.fromfile(CONFIGS / name)
    cfg.model.data_preprocessor.size = (64, 64)
    cfg.model.decode_head.channels = 64
    return cfg


def build_segmentor(model_cfg):
    init_default_scope('mmseg')
    # On one CPU process the Runner swaps SyncBN for BN; do the same.
    return revert_sync_batchnorm(MODELS.build(model_cfg))


def seg_batch(sizes, ori_sizes=None, seed=0):
    """mmseg's packed-inputs format: uint8 CHW images and data samples."""
    generator = torch.Generator().manual_seed(seed)
    inputs, samples = [], []
    for (h, w), ori in zip(sizes, ori_sizes or sizes):
        inputs.append(torch.randint(0, 256, (3, h, w), dtype=torch.uint8,
                                    generator=generator))
        sample = SegDataSample(metainfo=dict(img_shape=(h, w),
                                             ori_shape=ori))
        sample.gt_sem_seg = PixelData(data=torch.randint(
            0, NUM_CLASSES, (1, h, w), generator=generator))
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def train_step(model, steps=1):
    """One SGD step on two images of different sizes; returns the losses."""
    model.train()
    optim_wrapper = build_optim_wrapper(
        model, dict(optimizer=dict(type='SGD', lr=0.01)))
    data = seg_batch([(64, 64), (48, 56)])
    return model.train_step(data, optim_wrapper)


@pytest.mark.parametrize('head', ['upernet', 'fpn'])
@pytest.mark.parametrize('arch', ARCHS)
def test_every_config_builds_a_four_level_segmentor(head, arch):
    cfg = Config.fromfile(CONFIGS / f'{head}_evit_{arch}_ade20k.py')
    assert cfg.crop_size == (512, 512)
    assert cfg.train_cfg.max_iters == (160000 if head == 'upernet'
                                       else 80000)
    backbone = cfg.model.backbone
    assert backbone.arch == arch
    assert backbone.init_cfg.type == 'Pretrained'
    assert f'efficientvit_{arch}' in backbone.init_cfg.checkpoint

    model = build_segmentor(cfg.model).eval()
    assert model.neck.in_channels == model.backbone.out_channels
    assert model.decode_head.num_classes == NUM_CLASSES
    with torch.no_grad():
        levels = model.extract_feat(torch.rand(1, 3, 128, 128))
    # Strides 4, 8, 16 and 32, as UperNet and the FPN head expect.
    assert [level.shape[-1] for level in levels] == [32, 16, 8, 4]


@pytest.mark.parametrize('config', ['upernet_evit_m4_ade20k.py',
                                    'fpn_evit_m4_ade20k.py'])
def test_attention_biases_get_no_weight_decay(config):
    cfg = Config.fromfile(CONFIGS / config)
    model = build_segmentor(cfg.model)
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    assert type(optim_wrapper.optimizer).__name__ == 'AdamW'
    decay = {id(param): group['weight_decay']
             for group in optim_wrapper.optimizer.param_groups
             for param in group['params']}
    weight_decay = cfg.optim_wrapper.optimizer.weight_decay
    biases = 0
    for name, param in model.named_parameters():
        if 'attention_biases' in name:
            biases += 1
            assert decay[id(param)] == 0, name
        else:
            assert decay[id(param)] == weight_decay, name
    # One bias table per attention layer, one attention layer per block.
    assert biases == sum(model.backbone.arch_settings['depths'])


@pytest.mark.parametrize('config', ['upernet_evit_m0_ade20k.py',
                                    'fpn_evit_m0_ade20k.py'])
def test_loss_step_trains_backbone_neck_and_heads(config):
    model = build_segmentor(load_config(config).model)
    before = {name: param.detach().clone()
              for name, param in model.named_parameters()}
    losses = train_step(model)
    expected = {'decode.loss_ce'}
    if model.with_auxiliary_head:
        expected.add('aux.loss_ce')
    assert expected <= set(losses)
    assert all(torch.isfinite(losses[key]) for key in expected)
    for part in ('backbone.patch_embed', 'backbone.stages.2', 'neck.',
                 'decode_head.'):
        assert any(not torch.equal(before[name], param)
                   for name, param in model.named_parameters()
                   if name.startswith(part)), f'{part} did not change'


@pytest.fixture(scope='module', params=['upernet_evit_m0_ade20k.py',
                                        'fpn_evit_m0_ade20k.py'])
def segmentor(request):
    return build_segmentor(load_config(request.param).model).eval()


@pytest.mark.parametrize('ori_size', [(65, 97), (130, 194)])
def test_whole_inference_returns_the_original_size(segmentor, ori_size):
    """Odd sizes, and images resized by the pipeline: the mask has the size
    of the image the user gave."""
    segmentor.test_cfg = ConfigDict(mode='whole')
    with torch.no_grad():
        result, = segmentor.test_step(seg_batch([(65, 97)], [ori_size]))
    assert result.seg_logits.shape == ori_size
    assert result.seg_logits.data.shape[0] == NUM_CLASSES
    assert result.pred_sem_seg.data.shape == (1, *ori_size)


def test_slide_inference_tiles_and_keeps_the_size(segmentor, monkeypatch):
    h, w = 65, 97
    crop, stride = 48, 32
    calls = []
    encode_decode = segmentor.encode_decode

    def counting_encode_decode(inputs, batch_img_metas):
        calls.append(tuple(inputs.shape[2:]))
        return encode_decode(inputs, batch_img_metas)

    monkeypatch.setattr(segmentor, 'encode_decode', counting_encode_decode)
    segmentor.test_cfg = ConfigDict(mode='slide', crop_size=(crop, crop),
                              stride=(stride, stride))
    with torch.no_grad():
        result, = segmentor.test_step(seg_batch([(h, w)]))
    windows = ((math.ceil((h - crop) / stride) + 1)
               * (math.ceil((w - crop) / stride) + 1))
    assert calls == [(crop, crop)] * windows
    assert result.seg_logits.data.shape == (NUM_CLASSES, h, w)
    assert result.pred_sem_seg.data.shape == (1, h, w)

    # One window covering the image is exactly whole-image inference.
    calls.clear()
    segmentor.test_cfg = ConfigDict(mode='slide', crop_size=(128, 128),
                              stride=(96, 96))
    with torch.no_grad():
        single, = segmentor.test_step(seg_batch([(h, w)]))
    segmentor.test_cfg = ConfigDict(mode='whole')
    with torch.no_grad():
        whole, = segmentor.test_step(seg_batch([(h, w)]))
    assert calls == [(h, w), (h, w)]
    torch.testing.assert_close(single.seg_logits.data, whole.seg_logits.data)


M0_CHANNELS = [64, 128, 192]
OTHER_HEADS = {
    # One level: a plain FCN on the stride-16 map.
    'FCNHead': dict(type='FCNHead', in_channels=M0_CHANNELS[0], in_index=0,
                    channels=32, num_convs=1),
    # Pyramid pooling on the coarsest, stride-64 map.
    'PSPHead': dict(type='PSPHead', in_channels=M0_CHANNELS[2], in_index=2,
                    channels=32, pool_scales=(1, 2, 3, 6)),
    # All three maps, fused by an MLP.
    'SegformerHead': dict(type='SegformerHead', in_channels=M0_CHANNELS,
                          in_index=[0, 1, 2], channels=32),
}


@pytest.mark.parametrize('head', sorted(OTHER_HEADS))
def test_backbone_works_with_other_decode_heads(head):
    decode_head = dict(OTHER_HEADS[head], num_classes=NUM_CLASSES,
                       norm_cfg=dict(type='BN', requires_grad=True))
    model = build_segmentor(ConfigDict(
        type='EncoderDecoder',
        data_preprocessor=dict(
            type='SegDataPreProcessor', mean=[123.675, 116.28, 103.53],
            std=[58.395, 57.12, 57.375], bgr_to_rgb=True, size=(64, 64)),
        backbone=dict(type='EfficientViT', arch='m0'),
        decode_head=decode_head,
        test_cfg=dict(mode='whole')))
    assert isinstance(model, EncoderDecoder)
    assert type(model.decode_head).__name__ == head

    embed = model.backbone.patch_embed
    before = [param.detach().clone() for param in embed.parameters()]
    losses = train_step(model)
    assert torch.isfinite(losses['decode.loss_ce'])
    assert any(not torch.equal(old, new)
               for old, new in zip(before, embed.parameters()))

    model.eval()
    with torch.no_grad():
        result, = model.test_step(seg_batch([(65, 97)]))
    assert result.pred_sem_seg.data.shape == (1, 65, 97)
