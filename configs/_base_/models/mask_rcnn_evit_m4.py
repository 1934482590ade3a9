# Mask R-CNN with an EfficientViT-M4 backbone and the official neck: the model
# of mask_rcnn_evit_m4_coco.py, which the toy Mask R-CNN-M0 shrinks.
_base_ = 'mmdet::_base_/models/mask-rcnn_r50_fpn.py'
custom_imports = dict(imports=['evit_dense'], allow_failed_imports=False)

model = dict(
    backbone=dict(
        _delete_=True,
        type='EfficientViT',
        arch='m4',
        # ImageNet-1k weights, downloaded by the user from
        # https://github.com/xinyuliu-jeffrey/EfficientViT_Model_Zoo/releases
        init_cfg=dict(type='Pretrained',
                      checkpoint='checkpoints/efficientvit_m4.pth')),
    # Strides 4..64 from the 16/32/64 maps: two transposed convs add 8 and 4.
    neck=dict(
        type='EfficientViTFPN',
        in_channels=[128, 256, 384],
        num_extra_trans_convs=2))
