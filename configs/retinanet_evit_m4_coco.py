# RetinaNet with an EfficientViT-M4 backbone, the official 1x COCO recipe.
# Expected result of the official release (microsoft/Cream, mmdet 2.x):
# box AP 32.7 on COCO val2017. Its checkpoint loads as is:
#   python tools/test.py configs/retinanet_evit_m4_coco.py \
#       retinanet_efficientvit_m4_fpn_1x_coco.pth
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

# The attention biases are a learned relative-position table: no decay.
optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='AdamW', lr=1e-4, betas=(0.9, 0.999),
                   weight_decay=0.05),
    paramwise_cfg=dict(custom_keys={'attention_biases': dict(decay_mult=0.)}))
