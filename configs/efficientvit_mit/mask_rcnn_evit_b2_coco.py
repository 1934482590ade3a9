# Mask R-CNN on MIT's EfficientViT-B2, the B1 recipe; not trained here.
_base_ = './mask_rcnn_evit_b1_coco.py'

model = dict(
    backbone=dict(
        arch='b2',
        init_cfg=dict(checkpoint='checkpoints/efficientvit_b2_r224.pt')),
    neck=dict(in_channels=[48, 96, 192, 384]))
