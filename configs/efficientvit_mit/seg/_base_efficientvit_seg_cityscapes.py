# MIT's EfficientViT-Seg (mit-han-lab/efficientvit, Cai et al., ICCV 2023)
# on Cityscapes, whole, in mmseg: the B1 model here, the released variants
# in efficientvit_seg_{b0,b1,b2,b3,l1,l2}_cityscapes.py change the model.
#
# Evaluation follows MIT's protocol, so that MIT's released files, loaded as
# they are (their 'backbone.*'/'head.*' keys are renamed on load), give MIT's
# published mIoU:
#   * whole-image inference at 1024x2048 (mmseg's Cityscapes base slides
#     1024x512 windows instead), the image resized to it bicubic as MIT does
#     (a no-op on Cityscapes' own 2048x1024 images);
#   * the 19 train ids of mmseg's *_labelTrainIds.png (255 ignored), scored
#     at the original size;
#   * normalisation: mmseg's ImageNet mean/std on RGB, MIT's
#     Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]) times 255.
# Differences that may move mIoU slightly: mmseg upsamples the stride-8
# logits bilinearly in two steps (to the network's input, then to the
# original image) where MIT goes to the original size in one (the same here,
# where the input is the original size); mmseg decodes images with OpenCV,
# MIT with PIL.
#
# Training (MIT released no segmentation training code): the paper gives
# AdamW and cosine learning-rate decay; the rest is ours, not validated
# against MIT's numbers: SegFormer's Cityscapes recipe in mmseg (AdamW lr
# 6e-5, weight decay 0.01, head lr x10, 1500 warm-up iterations, batch 8 =
# 8 GPUs x 1, 1024x1024 crops) on mmseg's 80k-iteration schedule, with
# cosine instead of poly decay, no weight decay on norms and biases (as MIT's
# classification trainer), and the backbone initialised from MIT's ImageNet
# file, downloaded by the user.
_base_ = [
    'mmseg::_base_/datasets/cityscapes_1024x1024.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_80k.py',
]
custom_imports = dict(imports=['evit_dense'], allow_failed_imports=False)

crop_size = (1024, 1024)
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
    # MIT's seg.py, efficientvit_seg_b1('cityscapes').
    decode_head=dict(
        type='EfficientViTMITSegHead',
        in_channels=[64, 128, 256],
        in_index=[0, 1, 2],
        channels=64,
        num_blocks=3,
        block_type='mbconv',
        expand_ratio=4,
        final_expand=4,
        act='hswish',
        norm_eps=1e-5,
        dropout_ratio=0.0,
        num_classes=19,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False,
                         loss_weight=1.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2048, 1024), keep_ratio=False,
         interpolation='bicubic'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(batch_size=1)
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

iters = 80000
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
auto_scale_lr = dict(enable=False, base_batch_size=8)
