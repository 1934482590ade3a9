# EfficientViT-Seg-B3 on ADE20K val: MIT's released
# efficientvit_seg_b3_ade20k.pt, mIoU 49.01 as MIT publishes it:
#   python tools/test.py configs/efficientvit_mit/seg/efficientvit_seg_b3_ade20k.py efficientvit_seg_b3_ade20k.pt
# Evaluation protocol, training recipe: _base_efficientvit_seg_ade20k.py.
_base_ = './_base_efficientvit_seg_ade20k.py'

model = dict(
    backbone=dict(arch='b3', init_cfg=dict(
        checkpoint='checkpoints/efficientvit_b3_r224.pt')),
    # MIT's seg.py, efficientvit_seg_b3('ade20k').
    decode_head=dict(in_channels=[128, 256, 512], channels=128))
