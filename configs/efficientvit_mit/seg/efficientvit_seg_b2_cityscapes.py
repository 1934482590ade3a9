# EfficientViT-Seg-B2 on Cityscapes val: MIT's released
# efficientvit_seg_b2_cityscapes.pt, mIoU 82.07 as MIT publishes it:
#   python tools/test.py configs/efficientvit_mit/seg/efficientvit_seg_b2_cityscapes.py efficientvit_seg_b2_cityscapes.pt
# Evaluation protocol, training recipe: _base_efficientvit_seg_cityscapes.py.
_base_ = './_base_efficientvit_seg_cityscapes.py'

model = dict(
    backbone=dict(arch='b2', init_cfg=dict(
        checkpoint='checkpoints/efficientvit_b2_r224.pt')),
    # MIT's seg.py, efficientvit_seg_b2('cityscapes').
    decode_head=dict(in_channels=[96, 192, 384], channels=96))
