_base_ = [
    './_base_/models/fpn_evit_m4.py',
    'mmseg::_base_/datasets/ade20k.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_80k.py',
]

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
