# RetinaNet with MIT's EfficientViT-B1 backbone on COCO, 1x schedule.
# MIT released no detection recipe for EfficientViT (B/L): this one is ours,
# the M family's RetinaNet recipe with mmdet's standard FPN, and it has not
# been trained on COCO here: no box AP is claimed.
_base_ = [
    'mmdet::_base_/models/retinanet_r50_fpn.py',
    'mmdet::_base_/datasets/coco_detection.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    'mmdet::_base_/default_runtime.py',
]
custom_imports = dict(imports=['evit_dense'], allow_failed_imports=False)

model = dict(
    backbone=dict(
        _delete_=True,
        type='EfficientViTMIT',
        arch='b1',
        # Stages 2-4, strides 8/16/32, as ResNet's C3-C5 in mmdet's RetinaNet.
        out_indices=(2, 3, 4),
        # MIT's ImageNet-1k classification file, downloaded by the user from
        # https://github.com/mit-han-lab/efficientvit (read as is).
        init_cfg=dict(type='Pretrained',
                      checkpoint='checkpoints/efficientvit_b1_r224.pt')),
    # P3-P7 as in mmdet's RetinaNet: the three maps are P3-P5 (start_level 0,
    # where ResNet's base skips C2), and add_extra_convs='on_input' adds P6
    # and P7 with stride-2 convs from the raw stride-32 map.
    neck=dict(in_channels=[64, 128, 256], start_level=0))

# The M family's detection recipe (AdamW, lr 1e-4, weight decay 0.05, as
# Swin's and EfficientViT-M's 1x COCO models). No decay on BatchNorm or on
# biases: the attention stages' convs carry biases in place of a norm.
optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='AdamW', lr=1e-4, betas=(0.9, 0.999),
                   weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0.))
