# UperNet on MIT's EfficientViT-L1, the B1 recipe; not trained here.
_base_ = './upernet_evit_b1_ade20k.py'

model = dict(
    backbone=dict(
        arch='l1',
        init_cfg=dict(checkpoint='checkpoints/efficientvit_l1_r224.pt')),
    decode_head=dict(in_channels=[64, 128, 256, 512]),
    auxiliary_head=dict(in_channels=256))
