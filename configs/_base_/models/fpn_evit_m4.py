# Semantic FPN with an EfficientViT-M4 backbone, for ADE20K's 150 classes
# (the toy ADE20K set keeps them): the model of fpn_evit_m4_ade20k.py, which
# the toy FPN-M0 shrinks.
_base_ = 'mmseg::_base_/models/fpn_r50.py'
custom_imports = dict(imports=['evit_dense'], allow_failed_imports=False)

# Padded to the 512x512 crops of mmseg's ADE20K base.
data_preprocessor = dict(size=(512, 512))
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
