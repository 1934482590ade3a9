# Mask R-CNN with an EfficientViT-M3 backbone, the M4 recipe.
_base_ = './mask_rcnn_evit_m4_coco.py'

model = dict(
    backbone=dict(
        arch='m3',
        init_cfg=dict(checkpoint='checkpoints/efficientvit_m3.pth')),
    neck=dict(in_channels=[128, 240, 320]))
