# RetinaNet with an EfficientViT-M4 backbone and the official neck: the model
# of retinanet_evit_m4_coco.py, which the toy RetinaNet-M0 shrinks.
_base_ = 'mmdet::_base_/models/retinanet_r50_fpn.py'
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
    # Strides 8..128 from the 16/32/64 maps: one transposed conv adds 8, and
    # add_extra_convs='on_input' (kept from the base, as in the official
    # model) adds 128 with a stride-2 conv on the raw stride-64 map.
    neck=dict(
        type='EfficientViTFPN',
        in_channels=[128, 256, 384],
        start_level=0,
        num_extra_trans_convs=1))
