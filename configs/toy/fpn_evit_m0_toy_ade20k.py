# About a minute on a 2-core CPU, from scratch, on data written by
#   python tools/make_toy_ade20k.py data/toy_ade20k
_base_ = [
    '../_base_/models/fpn_evit_m4.py',
    '../_base_/datasets/toy_ade20k.py',
    '../_base_/schedules/toy_ade20k_200i.py',
]

model = dict(
    data_preprocessor=dict(size={{_base_.crop_size}}),
    backbone=dict(arch='m0', init_cfg=None),
    # A quarter of the neck and head widths: the toy scenes need little.
    neck=dict(in_channels=[64, 128, 192], out_channels=64),
    decode_head=dict(in_channels=[64, 64, 64, 64], channels=32))
# The M family's: the attention biases are a learned relative-position
# table, no decay.
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={'attention_biases': dict(decay_mult=0.)}))
