# UperNet with MIT's EfficientViT-B1 backbone, for ADE20K's 150 classes: the
# model of efficientvit_mit/upernet_evit_b1_ade20k.py.
_base_ = 'mmseg::_base_/models/upernet_r50.py'
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
        # Stages 1-4 at strides 4..32: the four levels UperNet reads, as
        # ResNet's C2-C5, so no neck is needed.
        out_indices=(1, 2, 3, 4),
        # MIT's ImageNet-1k classification file, downloaded by the user from
        # https://github.com/mit-han-lab/efficientvit (read as is).
        init_cfg=dict(type='Pretrained',
                      checkpoint='checkpoints/efficientvit_b1_r224.pt')),
    decode_head=dict(in_channels=[32, 64, 128, 256], num_classes=150),
    # The auxiliary FCN head reads the stride-16 map (in_index 2): stage 3.
    auxiliary_head=dict(in_channels=128, num_classes=150))
