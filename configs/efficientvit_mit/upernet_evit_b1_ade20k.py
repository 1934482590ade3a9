# UperNet with MIT's EfficientViT-B1 backbone on ADE20K, 512x512, 160k iters.
# MIT released ADE20K models only with its own head (EfficientViTMITSegHead),
# no UperNet recipe: this one is ours, Swin's ADE20K UperNet recipe as in the
# M-family config, and it has not been trained on ADE20K here: no mIoU is
# claimed.
_base_ = [
    '../_base_/models/upernet_evit_b1.py',
    'mmseg::_base_/datasets/ade20k.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_160k.py',
]

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
