# Mask R-CNN to ONNX Runtime with mmdeploy: boxes, labels and the mask
# head's 28x28 masks from the graph, pasted into the image outside it, as
# mmdeploy's mmdet/instance-seg/instance-seg_onnxruntime_dynamic.py.
_base_ = ['./detection_onnxruntime_dynamic.py']

onnx_config = dict(
    output_names=['dets', 'labels', 'masks'],
    dynamic_axes=dict(masks={0: 'batch', 1: 'num_dets', 2: 'height',
                             3: 'width'}))
codebase_config = dict(post_processing=dict(export_postprocess_mask=False))
