# UperNet with MIT's EfficientViT-B1 backbone on ADE20K, 512x512, 160k iters.
# MIT released ADE20K models only with its own head (EfficientViTMITSegHead),
# no UperNet recipe: this one is ours, Swin's ADE20K UperNet recipe as in the
# M-family config, and it has not been trained on ADE20K here: no mIoU is
# claimed.
_base_ = [
    'mmseg::_base_/models/upernet_r50.py',
    'mmseg::_base_/datasets/ade20k.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_160k.py',
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

# Swin's ADE20K UperNet recipe. No decay on BatchNorm or on biases: the
# attention stages' convs carry biases in place of a norm.
optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='AdamW', lr=6e-5, betas=(0.9, 0.999),
                   weight_decay=0.01),
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0.))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0,
         end=1500),
    dict(type='PolyLR', eta_min=0.0, power=1.0, by_epoch=False, begin=1500,
         end=160000),
]
