# The toy COCO set written by
#   python tools/make_toy_coco.py data/toy_coco
# 200 training and 40 validation images of 128x128 with rectangles, ellipses
# and triangles, in mmdet's COCO detection base.
_base_ = 'mmdet::_base_/datasets/coco_detection.py'

data_root = 'data/toy_coco/'
# evit_dense.datasets.TOY_COCO_CLASSES
metainfo = dict(classes=('rectangle', 'ellipse', 'triangle'))
image_scale = (128, 128)  # the toy images' size

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
