# Semantic FPN on MIT's EfficientViT-L2, the B1 recipe; not trained here.
_base_ = './fpn_evit_b1_ade20k.py'

model = dict(
    backbone=dict(
        arch='l2',
        init_cfg=dict(checkpoint='checkpoints/efficientvit_l2_r224.pt')),
    neck=dict(in_channels=[64, 128, 256, 512]))
