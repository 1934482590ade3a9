# Mask R-CNN with an EfficientViT-M0 backbone, the M4 recipe.
_base_ = './mask_rcnn_evit_m4_coco.py'

model = dict(
    backbone=dict(
        arch='m0',
        init_cfg=dict(checkpoint='checkpoints/efficientvit_m0.pth')),
    neck=dict(in_channels=[64, 128, 192]))
