# EfficientViT-Seg-B1 on Cityscapes val: MIT's released
# efficientvit_seg_b1_cityscapes.pt, mIoU 80.55 as MIT publishes it:
#   python tools/test.py configs/efficientvit_mit/seg/efficientvit_seg_b1_cityscapes.py efficientvit_seg_b1_cityscapes.pt
# Evaluation protocol, training recipe: _base_efficientvit_seg_cityscapes.py.
_base_ = './_base_efficientvit_seg_cityscapes.py'
