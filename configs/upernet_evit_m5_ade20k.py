_base_ = './upernet_evit_m4_ade20k.py'

model = dict(
    backbone=dict(
        arch='m5',
        init_cfg=dict(checkpoint='checkpoints/efficientvit_m5.pth')),
    neck=dict(in_channels=[192, 288, 384]))
