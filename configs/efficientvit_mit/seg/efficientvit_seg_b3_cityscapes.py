# EfficientViT-Seg-B3 on Cityscapes val: MIT's released
# efficientvit_seg_b3_cityscapes.pt, mIoU 83.02 as MIT publishes it:
#   python tools/test.py configs/efficientvit_mit/seg/efficientvit_seg_b3_cityscapes.py efficientvit_seg_b3_cityscapes.pt
# Evaluation protocol, training recipe: _base_efficientvit_seg_cityscapes.py.
_base_ = './_base_efficientvit_seg_cityscapes.py'

model = dict(
    backbone=dict(arch='b3', init_cfg=dict(
        checkpoint='checkpoints/efficientvit_b3_r224.pt')),
    # MIT's seg.py, efficientvit_seg_b3('cityscapes').
    decode_head=dict(in_channels=[128, 256, 512], channels=128))
