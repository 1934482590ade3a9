# UperNet on MIT's EfficientViT-B3, the B1 recipe; not trained here.
_base_ = './upernet_evit_b1_ade20k.py'

model = dict(
    backbone=dict(
        arch='b3',
        init_cfg=dict(checkpoint='checkpoints/efficientvit_b3_r224.pt')),
    decode_head=dict(in_channels=[64, 128, 256, 512]),
    auxiliary_head=dict(in_channels=256))
