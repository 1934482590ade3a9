# 24 epochs from scratch on the toy COCO set, with mmdet's default runtime.
# 200 images / batch 8 = 25 iterations an epoch, 600 in all. From scratch
# the toy set wants a 20x larger lr than fine-tuning (the 1e-4 of both
# families' COCO recipes), and clipping keeps the first epochs stable at that
# lr. Both families' optimizer is AdamW; each toy config adds its family's
# weight-decay exceptions (paramwise_cfg).
_base_ = [
    'mmdet::_base_/schedules/schedule_1x.py',
    'mmdet::_base_/default_runtime.py',
]

max_epochs = 24
optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='AdamW', lr=2e-3, betas=(0.9, 0.999),
                   weight_decay=0.05),
    clip_grad=dict(max_norm=10))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(type='MultiStepLR', by_epoch=True, begin=0, end=max_epochs,
         milestones=[20, 23], gamma=0.1),
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(logger=dict(interval=25),
                     checkpoint=dict(interval=max_epochs))
randomness = dict(seed=0)
