# toy_coco_24e.py twice as long: 1200 iterations, the lr steps at the same
# fractions of the run.
_base_ = './toy_coco_24e.py'

max_epochs = 48
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(type='MultiStepLR', by_epoch=True, begin=0, end=max_epochs,
         milestones=[40, 46], gamma=0.1),
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(checkpoint=dict(interval=max_epochs))
