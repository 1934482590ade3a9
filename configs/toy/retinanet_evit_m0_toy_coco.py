# RetinaNet-M0 trained from scratch in minutes on a CPU, on data written by
#   python tools/make_toy_coco.py data/toy_coco
# Measured with tools/quickstart.sh on 2 CPU cores (torch 2.13, one thread):
# bbox mAP 0.32 (mAP_50 0.52) on the 40 val images after 24 epochs, 3.5
# minutes of training (0.18-0.36 over seeds 0-4: from scratch on 200 images
# the result depends much on the seed).
_base_ = '../retinanet_evit_m4_coco.py'

data_root = 'data/toy_coco/'
# evit_dense.datasets.TOY_COCO_CLASSES
metainfo = dict(classes=('rectangle', 'ellipse', 'triangle'))
image_scale = (128, 128)  # the toy images' size
model = dict(
    backbone=dict(arch='m0', init_cfg=None),
    # A quarter of the neck and head widths: the toy shapes need little.
    neck=dict(in_channels=[64, 128, 192], out_channels=64),
    bbox_head=dict(num_classes=3, in_channels=64, feat_channels=64))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=image_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=image_scale, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor')),
]
train_dataloader = dict(
    batch_size=8,
    num_workers=1,
    dataset=dict(data_root=data_root, metainfo=metainfo,
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=1,
    dataset=dict(data_root=data_root, metainfo=metainfo,
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val2017.json')
test_evaluator = val_evaluator

# 200 images / batch 8 = 25 iterations an epoch, 600 in all. From scratch
# the toy set wants a 20x larger lr than fine-tuning, and clipping keeps
# the first epochs stable at that lr.
max_epochs = 24
optim_wrapper = dict(optimizer=dict(lr=2e-3), clip_grad=dict(max_norm=10))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(type='MultiStepLR', by_epoch=True, begin=0, end=max_epochs,
         milestones=[20, 23], gamma=0.1),
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(logger=dict(interval=25),
                     checkpoint=dict(interval=max_epochs))
randomness = dict(seed=0)
