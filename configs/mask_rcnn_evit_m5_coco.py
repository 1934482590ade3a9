# Mask R-CNN with an EfficientViT-M5 backbone, the M4 recipe.
_base_ = './mask_rcnn_evit_m4_coco.py'

model = dict(
    backbone=dict(
        arch='m5',
        init_cfg=dict(checkpoint='checkpoints/efficientvit_m5.pth')),
    neck=dict(in_channels=[192, 288, 384]))
