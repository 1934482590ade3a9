_base_ = './upernet_evit_m4_ade20k.py'

model = dict(
    backbone=dict(
        arch='m0',
        init_cfg=dict(checkpoint='checkpoints/efficientvit_m0.pth')),
    neck=dict(in_channels=[64, 128, 192]))
