# EfficientViT-Seg-B1 on ADE20K val: MIT's released
# efficientvit_seg_b1_ade20k.pt, mIoU 42.84 as MIT publishes it:
#   python tools/test.py configs/efficientvit_mit/seg/efficientvit_seg_b1_ade20k.py efficientvit_seg_b1_ade20k.pt
# Evaluation protocol, training recipe: _base_efficientvit_seg_ade20k.py.
_base_ = './_base_efficientvit_seg_ade20k.py'
