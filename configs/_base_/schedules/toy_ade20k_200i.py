# 200 iterations from scratch on the toy ADE20K set, poly decay, with mmseg's
# default runtime. Both families' optimizer is AdamW (as in their semantic FPN
# recipes, at a 5x larger lr); each toy config adds its family's weight-decay
# exceptions (paramwise_cfg).
_base_ = [
    'mmseg::_base_/schedules/schedule_80k.py',
    'mmseg::_base_/default_runtime.py',
]

iters = 200
optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='AdamW', lr=1e-3, weight_decay=1e-4))
param_scheduler = [
    dict(type='PolyLR', eta_min=0.0, power=0.9, by_epoch=False, begin=0,
         end=iters),
]
train_cfg = dict(max_iters=iters, val_interval=iters)
default_hooks = dict(
    logger=dict(interval=20), checkpoint=dict(interval=iters))
