# MIT's EfficientViT-Seg (mit-han-lab/efficientvit, Cai et al., ICCV 2023)
# on ADE20K, whole, in mmseg: the B1 model here, the released variants in
# efficientvit_seg_{b1,b2,b3,l1,l2}_ade20k.py change only the model.
#
# Evaluation follows MIT's protocol, so that MIT's released files, loaded as
# they are (their 'backbone.*'/'head.*' keys are renamed on load), give MIT's
# published mIoU:
#   * the shorter side resized to 512 and the longer side to
#     ceil(long / short * 512 / 32) * 32, bicubic (ShorterSideResize: a
#     375x500 image runs at 512x704), whole-image inference;
#   * labels with reduce_zero_label=True (MIT: label - 1, 0 ignored), scored
#     at the original size;
#   * normalisation: mmseg's ImageNet mean/std on RGB, MIT's
#     Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]) times 255.
# Differences that may move mIoU slightly: mmseg upsamples the stride-8
# logits bilinearly in two steps (to the network's input, then to the
# original image) where MIT goes to the original size in one; mmseg decodes
# images with OpenCV, MIT with PIL.
#
# Training (MIT released no segmentation training code): the paper gives
# AdamW and cosine learning-rate decay; the rest is ours, not validated
# against MIT's numbers: SegFormer's ADE20K recipe in mmseg (AdamW lr 6e-5,
# weight decay 0.01, head lr x10, 1500 warm-up iterations, 160k iterations,
# batch 16 = 8 GPUs x 2, 512x512 crops) with cosine instead of poly decay,
# no weight decay on norms and biases (as MIT's classification trainer), and
# the backbone initialised from MIT's ImageNet file, downloaded by the user.
_base_ = [
    'mmseg::_base_/datasets/ade20k.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_160k.py',
]
custom_imports = dict(imports=['evit_dense'], allow_failed_imports=False)

crop_size = (512, 512)
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    size=crop_size)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='EfficientViTMIT',
        arch='b1',
        # MIT's SegHead reads stage2..stage4 (strides 8, 16, 32).
        out_indices=(2, 3, 4),
        # MIT's ImageNet-1k file (downloaded by the user), loaded as it is;
        # the backbone sets MIT's BatchNorm eps (1e-5 B, 1e-7 L) itself.
        init_cfg=dict(type='Pretrained',
                      checkpoint='checkpoints/efficientvit_b1_r224.pt')),
    # MIT's seg.py, efficientvit_seg_b1('ade20k').
    decode_head=dict(
        type='EfficientViTMITSegHead',
        in_channels=[64, 128, 256],
        in_index=[0, 1, 2],
        channels=64,
        num_blocks=3,
        block_type='mbconv',
        expand_ratio=4,
        final_expand=None,
        act='hswish',
        norm_eps=1e-5,
        dropout_ratio=0.0,
        num_classes=150,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False,
                         loss_weight=1.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ShorterSideResize', short_side=512, size_divisor=32,
         interpolation='bicubic'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(batch_size=2)
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

iters = 160000
warmup_iters = 1500
optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='AdamW', lr=6e-5, betas=(0.9, 0.999),
                   weight_decay=0.01),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0,
                       custom_keys={'decode_head': dict(lr_mult=10.0)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0,
         end=warmup_iters),
    dict(type='CosineAnnealingLR', T_max=iters - warmup_iters, eta_min=0.0,
         by_epoch=False, begin=warmup_iters, end=iters),
]
train_cfg = dict(max_iters=iters)
# Batch statistics over all GPUs when training distributed.
sync_bn = 'torch'
auto_scale_lr = dict(enable=False, base_batch_size=16)
