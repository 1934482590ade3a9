# Mask R-CNN with MIT's EfficientViT-B1 backbone on COCO, 1x schedule.
# MIT released no detection recipe for EfficientViT (B/L): this one is ours,
# the M family's Mask R-CNN recipe with mmdet's standard FPN, and it has not
# been trained on COCO here: no box or mask AP is claimed.
_base_ = [
    'mmdet::_base_/models/mask-rcnn_r50_fpn.py',
    'mmdet::_base_/datasets/coco_instance.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    'mmdet::_base_/default_runtime.py',
]
custom_imports = dict(imports=['evit_dense'], allow_failed_imports=False)

model = dict(
    backbone=dict(
        _delete_=True,
        type='EfficientViTMIT',
        arch='b1',
        # The RPN anchors and RoI extractors use strides 4..64 (P2-P6), so
        # unlike RetinaNet this needs stage 1 at stride 4 as well: stages 1-4,
        # as ResNet's C2-C5.
        out_indices=(1, 2, 3, 4),
        # MIT's ImageNet-1k classification file, downloaded by the user from
        # https://github.com/mit-han-lab/efficientvit (read as is).
        init_cfg=dict(type='Pretrained',
                      checkpoint='checkpoints/efficientvit_b1_r224.pt')),
    # num_outs=5 from the base: P2-P5 from the four maps, P6 max-pooled.
    neck=dict(in_channels=[32, 64, 128, 256]))

# The M family's detection recipe (AdamW, lr 1e-4, weight decay 0.05, as
# Swin's and EfficientViT-M's 1x COCO models). No decay on BatchNorm or on
# biases: the attention stages' convs carry biases in place of a norm.
optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='AdamW', lr=1e-4, betas=(0.9, 0.999),
                   weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0.))
