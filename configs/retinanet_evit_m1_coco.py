# RetinaNet with an EfficientViT-M1 backbone, the M4 recipe.
_base_ = './retinanet_evit_m4_coco.py'

model = dict(
    backbone=dict(
        arch='m1',
        init_cfg=dict(checkpoint='checkpoints/efficientvit_m1.pth')),
    neck=dict(in_channels=[128, 144, 192]))
