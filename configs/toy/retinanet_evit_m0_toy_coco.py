# RetinaNet-M0 trained from scratch in minutes on a CPU, on data written by
#   python tools/make_toy_coco.py data/toy_coco
# Measured with tools/quickstart.sh on 2 CPU cores (torch 2.13, one thread):
# bbox mAP 0.32 (mAP_50 0.52) on the 40 val images after 24 epochs, 3.5
# minutes of training (0.18-0.36 over seeds 0-4: from scratch on 200 images
# the result depends much on the seed).
_base_ = [
    '../_base_/models/retinanet_evit_m4.py',
    '../_base_/datasets/toy_coco_detection.py',
    '../_base_/schedules/toy_coco_24e.py',
]

model = dict(
    backbone=dict(arch='m0', init_cfg=None),
    # A quarter of the neck and head widths: the toy shapes need little.
    neck=dict(in_channels=[64, 128, 192], out_channels=64),
    bbox_head=dict(num_classes=3, in_channels=64, feat_channels=64))
# The M family's: the attention biases are a learned relative-position
# table, no decay.
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={'attention_biases': dict(decay_mult=0.)}))
