# EfficientViT-Seg-B0 on Cityscapes val: MIT's released
# efficientvit_seg_b0_cityscapes.pt, mIoU 75.65 as MIT publishes it:
#   python tools/test.py configs/efficientvit_mit/seg/efficientvit_seg_b0_cityscapes.py efficientvit_seg_b0_cityscapes.pt
# Evaluation protocol, training recipe: _base_efficientvit_seg_cityscapes.py.
_base_ = './_base_efficientvit_seg_cityscapes.py'

model = dict(
    backbone=dict(arch='b0', init_cfg=dict(
        checkpoint='checkpoints/efficientvit_b0_r224.pt')),
    # MIT's seg.py, efficientvit_seg_b0('cityscapes').
    decode_head=dict(in_channels=[32, 64, 128], channels=32,
                     num_blocks=1))
