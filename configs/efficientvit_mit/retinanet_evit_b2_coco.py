# RetinaNet on MIT's EfficientViT-B2, the B1 recipe; not trained here.
_base_ = './retinanet_evit_b1_coco.py'

model = dict(
    backbone=dict(
        arch='b2',
        init_cfg=dict(checkpoint='checkpoints/efficientvit_b2_r224.pt')),
    neck=dict(in_channels=[96, 192, 384]))
