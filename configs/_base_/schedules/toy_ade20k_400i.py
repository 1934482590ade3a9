# toy_ade20k_200i.py twice as long.
_base_ = './toy_ade20k_200i.py'

iters = 400
param_scheduler = [
    dict(type='PolyLR', eta_min=0.0, power=0.9, by_epoch=False, begin=0,
         end=iters),
]
train_cfg = dict(max_iters=iters, val_interval=iters)
default_hooks = dict(checkpoint=dict(interval=iters))
