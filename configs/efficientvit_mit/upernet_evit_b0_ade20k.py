# UperNet on MIT's EfficientViT-B0, the B1 recipe; not trained here.
_base_ = './upernet_evit_b1_ade20k.py'

model = dict(
    backbone=dict(
        arch='b0',
        init_cfg=dict(checkpoint='checkpoints/efficientvit_b0_r224.pt')),
    decode_head=dict(in_channels=[16, 32, 64, 128]),
    auxiliary_head=dict(in_channels=64))
