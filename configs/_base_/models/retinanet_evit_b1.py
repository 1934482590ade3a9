# RetinaNet with MIT's EfficientViT-B1 backbone and mmdet's FPN: the model of
# efficientvit_mit/retinanet_evit_b1_coco.py, which the toy RetinaNet-B0
# shrinks.
_base_ = 'mmdet::_base_/models/retinanet_r50_fpn.py'
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
