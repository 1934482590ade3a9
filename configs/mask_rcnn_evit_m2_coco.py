# Mask R-CNN with an EfficientViT-M2 backbone, the M4 recipe.
_base_ = './mask_rcnn_evit_m4_coco.py'

model = dict(
    backbone=dict(
        arch='m2',
        init_cfg=dict(checkpoint='checkpoints/efficientvit_m2.pth')),
    neck=dict(in_channels=[128, 192, 224]))
