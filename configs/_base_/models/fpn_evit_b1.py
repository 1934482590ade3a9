# Semantic FPN with MIT's EfficientViT-B1 backbone and mmseg's FPN, for
# ADE20K's 150 classes (the toy ADE20K set keeps them): the model of
# efficientvit_mit/fpn_evit_b1_ade20k.py, which the toy FPN-B0 shrinks.
_base_ = 'mmseg::_base_/models/fpn_r50.py'
custom_imports = dict(imports=['evit_dense'], allow_failed_imports=False)

# Padded to the 512x512 crops of mmseg's ADE20K base.
data_preprocessor = dict(size=(512, 512))
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
