# Mask R-CNN-M0 trained from scratch on a CPU, on data written by
#   python tools/make_toy_coco.py data/toy_coco
# The data and schedule are those of retinanet_evit_m0_toy_coco.py, with
# masks loaded. Measured on 2 CPU cores (torch 2.13, one thread): bbox mAP
# 0.83, mask mAP 0.84 on the 40 val images after 24 epochs, 9 CPU-minutes of
# training.
_base_ = [
    '../_base_/models/mask_rcnn_evit_m4.py',
    '../_base_/datasets/toy_coco_instance.py',
    '../_base_/schedules/toy_coco_24e.py',
]

# A quarter of the neck and head widths: the toy shapes need little.
model = dict(
    backbone=dict(arch='m0', init_cfg=None),
    neck=dict(in_channels=[64, 128, 192], out_channels=64),
    rpn_head=dict(in_channels=64, feat_channels=64),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=64),
        bbox_head=dict(in_channels=64, fc_out_channels=256, num_classes=3),
        mask_roi_extractor=dict(out_channels=64),
        mask_head=dict(in_channels=64, conv_out_channels=64, num_classes=3)),
    # At most 4 shapes an image: a tenth of the proposals and RoIs suffice,
    # and RoIAlign on the CPU is what a training step spends most time on.
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=200, max_per_img=100),
        rcnn=dict(sampler=dict(num=64))),
    test_cfg=dict(rpn=dict(nms_pre=200, max_per_img=100)))
# The M family's: the attention biases are a learned relative-position
# table, no decay.
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={'attention_biases': dict(decay_mult=0.)}))
