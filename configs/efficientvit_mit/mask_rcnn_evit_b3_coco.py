# Mask R-CNN on MIT's EfficientViT-B3, the B1 recipe; not trained here.
_base_ = './mask_rcnn_evit_b1_coco.py'

model = dict(
    backbone=dict(
        arch='b3',
        init_cfg=dict(checkpoint='checkpoints/efficientvit_b3_r224.pt')),
    neck=dict(in_channels=[64, 128, 256, 512]))
