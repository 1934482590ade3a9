# RetinaNet with MIT's EfficientViT-B1 backbone on COCO, 1x schedule.
# MIT released no detection recipe for EfficientViT (B/L): this one is ours,
# the M family's RetinaNet recipe with mmdet's standard FPN, and it has not
# been trained on COCO here: no box AP is claimed.
_base_ = [
    '../_base_/models/retinanet_evit_b1.py',
    'mmdet::_base_/datasets/coco_detection.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    'mmdet::_base_/default_runtime.py',
]

# The M family's detection recipe (AdamW, lr 1e-4, weight decay 0.05, as
# Swin's and EfficientViT-M's 1x COCO models). No decay on BatchNorm or on
# biases: the attention stages' convs carry biases in place of a norm.
optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='AdamW', lr=1e-4, betas=(0.9, 0.999),
                   weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0.))
