_base_ = './upernet_evit_m4_ade20k.py'

model = dict(
    backbone=dict(
        arch='m2',
        init_cfg=dict(checkpoint='checkpoints/efficientvit_m2.pth')),
    neck=dict(in_channels=[128, 192, 224]))
