# Mask R-CNN with MIT's EfficientViT-B1 backbone and mmdet's FPN: the model of
# efficientvit_mit/mask_rcnn_evit_b1_coco.py.
_base_ = 'mmdet::_base_/models/mask-rcnn_r50_fpn.py'
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
