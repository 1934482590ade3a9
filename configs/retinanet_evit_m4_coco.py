# RetinaNet with an EfficientViT-M4 backbone, the official 1x COCO recipe.
# Expected result of the official release (microsoft/Cream, mmdet 2.x):
# box AP 32.7 on COCO val2017. Its checkpoint loads as is:
#   python tools/test.py configs/retinanet_evit_m4_coco.py \
#       retinanet_efficientvit_m4_fpn_1x_coco.pth
_base_ = [
    './_base_/models/retinanet_evit_m4.py',
    'mmdet::_base_/datasets/coco_detection.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    'mmdet::_base_/default_runtime.py',
]

# The attention biases are a learned relative-position table: no decay.
optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='AdamW', lr=1e-4, betas=(0.9, 0.999),
                   weight_decay=0.05),
    paramwise_cfg=dict(custom_keys={'attention_biases': dict(decay_mult=0.)}))
