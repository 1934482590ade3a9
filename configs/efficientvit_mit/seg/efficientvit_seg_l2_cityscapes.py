# EfficientViT-Seg-L2 on Cityscapes val: MIT's released
# efficientvit_seg_l2_cityscapes.pt, mIoU 83.23 as MIT publishes it:
#   python tools/test.py configs/efficientvit_mit/seg/efficientvit_seg_l2_cityscapes.py efficientvit_seg_l2_cityscapes.pt
# Evaluation protocol, training recipe: _base_efficientvit_seg_cityscapes.py.
_base_ = './_base_efficientvit_seg_cityscapes.py'

model = dict(
    backbone=dict(arch='l2', init_cfg=dict(
        checkpoint='checkpoints/efficientvit_l2_r224.pt')),
    # MIT's seg.py, efficientvit_seg_l2('cityscapes').
    decode_head=dict(in_channels=[128, 256, 512], channels=256,
                     num_blocks=5, block_type='fmbconv',
                     expand_ratio=1, final_expand=None,
                     act='gelu', norm_eps=1e-7))
