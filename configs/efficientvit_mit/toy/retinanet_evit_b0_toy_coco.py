# RetinaNet on MIT's EfficientViT-B0, trained from scratch in minutes on a
# CPU, on data written by
#   python tools/make_toy_coco.py data/toy_coco
# Measured on 2 shared CPU cores (torch 2.13, OMP_NUM_THREADS=1), with
# tools/train.py then tools/test.py: bbox mAP 0.86 (mAP_50 1.00) on the 40
# val images after 48 epochs, 3.9 minutes of training. Twice the M0 toy's 24
# epochs, as B0 still learned at 24 (bbox mAP 0.23 there).
_base_ = [
    '../../_base_/models/retinanet_evit_b1.py',
    '../../_base_/datasets/toy_coco_detection.py',
    '../../_base_/schedules/toy_coco_48e.py',
]

model = dict(
    backbone=dict(arch='b0', init_cfg=None),
    # A quarter of the neck and head widths: the toy shapes need little.
    neck=dict(in_channels=[32, 64, 128], out_channels=64),
    bbox_head=dict(num_classes=3, in_channels=64, feat_channels=64))
# MIT's family's: no decay on BatchNorm or on biases, as in its COCO recipe.
optim_wrapper = dict(
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0.))
