# Mask R-CNN to ONNX Runtime with mmdeploy: boxes, labels and the mask
# head's 28x28 masks from the graph, pasted into the image outside it, as
# mmdeploy's mmdet/instance-seg/instance-seg_onnxruntime_dynamic.py.
_base_ = ['./detection_onnxruntime_dynamic.py']

# Opset 16: its RoiAlign has mmcv's aligned=True sampling
# (coordinate_transformation_mode='half_pixel'). mmdeploy's opset-11 form
# shifts the RoIs instead and drops the detections of degenerate boxes, so
# its outputs are not PyTorch's.
onnx_config = dict(
    opset_version=16,
    output_names=['dets', 'labels', 'masks'],
    dynamic_axes=dict(masks={0: 'batch', 1: 'num_dets', 2: 'height',
                             3: 'width'}))
codebase_config = dict(post_processing=dict(export_postprocess_mask=False))
