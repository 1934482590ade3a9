# Semantic FPN with MIT's EfficientViT-B1 backbone on ADE20K, 512x512, 80k
# iters. MIT released ADE20K models only with its own head
# (EfficientViTMITSegHead), no semantic FPN recipe: this one is ours, the
# PoolFormer/EfficientFormer recipe as in the M-family config, and it has not
# been trained on ADE20K here: no mIoU is claimed.
_base_ = [
    '../_base_/models/fpn_evit_b1.py',
    'mmseg::_base_/datasets/ade20k.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_80k.py',
]

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
