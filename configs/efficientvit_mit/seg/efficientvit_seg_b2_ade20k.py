# EfficientViT-Seg-B2 on ADE20K val: MIT's released
# efficientvit_seg_b2_ade20k.pt, mIoU 45.94 as MIT publishes it:
#   python tools/test.py configs/efficientvit_mit/seg/efficientvit_seg_b2_ade20k.py efficientvit_seg_b2_ade20k.pt
# Evaluation protocol, training recipe: _base_efficientvit_seg_ade20k.py.
_base_ = './_base_efficientvit_seg_ade20k.py'

model = dict(
    backbone=dict(arch='b2', init_cfg=dict(
        checkpoint='checkpoints/efficientvit_b2_r224.pt')),
    # MIT's seg.py, efficientvit_seg_b2('ade20k').
    decode_head=dict(in_channels=[96, 192, 384], channels=96))
