_base_ = './upernet_evit_m4_ade20k.py'

model = dict(
    backbone=dict(
        arch='m1',
        init_cfg=dict(checkpoint='checkpoints/efficientvit_m1.pth')),
    neck=dict(in_channels=[128, 144, 192]))
