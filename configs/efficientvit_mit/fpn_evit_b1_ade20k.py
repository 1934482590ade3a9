# Semantic FPN with MIT's EfficientViT-B1 backbone on ADE20K, 512x512, 80k
# iters. MIT released ADE20K models only with its own head
# (EfficientViTMITSegHead), no semantic FPN recipe: this one is ours, the
# PoolFormer/EfficientFormer recipe as in the M-family config, and it has not
# been trained on ADE20K here: no mIoU is claimed.
_base_ = [
    'mmseg::_base_/models/fpn_r50.py',
    'mmseg::_base_/datasets/ade20k.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_80k.py',
]
custom_imports = dict(imports=['evit_dense'], allow_failed_imports=False)

crop_size = (512, 512)
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor,
    pretrained=None,
    backbone=dict(
        _delete_=True,
        type='EfficientViTMIT',
        arch='b1',
        # Stages 1-4 at strides 4..32, the four levels the semantic FPN head
        # reads, as ResNet's C2-C5: mmseg's standard FPN fuses them as is.
        out_indices=(1, 2, 3, 4),
        # MIT's ImageNet-1k classification file, downloaded by the user from
        # https://github.com/mit-han-lab/efficientvit (read as is).
        init_cfg=dict(type='Pretrained',
                      checkpoint='checkpoints/efficientvit_b1_r224.pt')),
    neck=dict(in_channels=[32, 64, 128, 256]),
    decode_head=dict(num_classes=150))

# The semantic FPN recipe of PoolFormer and EfficientFormer. No decay on
# BatchNorm or on biases: the attention stages' convs carry biases in place
# of a norm.
optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='AdamW', lr=2e-4, weight_decay=1e-4),
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0.))
param_scheduler = [
    dict(type='PolyLR', eta_min=0.0, power=0.9, by_epoch=False, begin=0,
         end=80000),
]
