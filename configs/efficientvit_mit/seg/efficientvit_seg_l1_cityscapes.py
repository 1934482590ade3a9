# EfficientViT-Seg-L1 on Cityscapes val: MIT's released
# efficientvit_seg_l1_cityscapes.pt, mIoU 82.72 as MIT publishes it:
#   python tools/test.py configs/efficientvit_mit/seg/efficientvit_seg_l1_cityscapes.py efficientvit_seg_l1_cityscapes.pt
# Evaluation protocol, training recipe: _base_efficientvit_seg_cityscapes.py.
_base_ = './_base_efficientvit_seg_cityscapes.py'

model = dict(
    backbone=dict(arch='l1', init_cfg=dict(
        checkpoint='checkpoints/efficientvit_l1_r224.pt')),
    # MIT's seg.py, efficientvit_seg_l1('cityscapes').
    decode_head=dict(in_channels=[128, 256, 512], channels=256,
                     num_blocks=3, block_type='fmbconv',
                     expand_ratio=1, final_expand=None,
                     act='gelu', norm_eps=1e-7))
