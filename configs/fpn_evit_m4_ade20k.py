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
        type='EfficientViT',
        arch='m4',
        # ImageNet-1k weights from microsoft/Cream, downloaded by the user.
        init_cfg=dict(type='Pretrained',
                      checkpoint='checkpoints/efficientvit_m4.pth')),
    # The semantic FPN head reads four levels at strides 4..32; EfficientViT
    # gives 16/32/64. As in EfficientViT's detection recipe, the FPN fuses
    # them top-down and learns the finer strides 8 and 4 from the stride-16
    # level with 2x2 stride-2 transposed convolutions instead of interpolating.
    neck=dict(
        type='EfficientViTFPN',
        in_channels=[128, 256, 384],
        out_channels=256,
        num_outs=4,
        num_extra_trans_convs=2),
    decode_head=dict(num_classes=150))

# The semantic FPN recipe of PoolFormer and EfficientFormer; the attention
# biases are a learned relative-position table, which weight decay would pull
# towards zero.
optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='AdamW', lr=2e-4, weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={'attention_biases': dict(decay_mult=0.)}))
param_scheduler = [
    dict(type='PolyLR', eta_min=0.0, power=0.9, by_epoch=False, begin=0,
         end=80000),
]
