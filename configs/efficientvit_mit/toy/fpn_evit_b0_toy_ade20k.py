# Semantic FPN on MIT's EfficientViT-B0, trained from scratch in minutes on a
# CPU, on data written by
#   python tools/make_toy_ade20k.py data/toy_ade20k
# Measured on 2 shared CPU cores (torch 2.13, OMP_NUM_THREADS=1), with
# tools/train.py then tools/test.py: mIoU 92.6 (aAcc 97.7) on the 12 val
# images' 4 drawn classes, where always-"sky" scores 10; 2.0 minutes of
# training. Twice the M0 toy's 200 iterations: at 200, B0 had not yet learned
# "tree" (IoU 0, mIoU 65.1).
_base_ = [
    '../../_base_/models/fpn_evit_b1.py',
    '../../_base_/datasets/toy_ade20k.py',
    '../../_base_/schedules/toy_ade20k_400i.py',
]

model = dict(
    data_preprocessor=dict(size={{_base_.crop_size}}),
    backbone=dict(arch='b0', init_cfg=None),
    # A quarter of the neck and head widths: the toy scenes need little.
    neck=dict(in_channels=[16, 32, 64, 128], out_channels=64),
    decode_head=dict(in_channels=[64, 64, 64, 64], channels=32))
# MIT's family's: no decay on BatchNorm or on biases, as in its semantic FPN
# recipe.
optim_wrapper = dict(
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0.))
randomness = dict(seed=0)
