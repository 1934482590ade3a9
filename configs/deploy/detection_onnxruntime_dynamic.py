# RetinaNet (and other mmdet detectors) to ONNX Runtime with mmdeploy, the
# post-processing (NMS) in the graph: mmdeploy's
# mmdet/detection/detection_onnxruntime_dynamic.py.
_base_ = ['./_base_onnxruntime_dynamic.py']

onnx_config = dict(
    output_names=['dets', 'labels'],
    dynamic_axes=dict(dets={0: 'batch', 1: 'num_dets'},
                      labels={0: 'batch', 1: 'num_dets'}))
codebase_config = dict(
    type='mmdet',
    task='ObjectDetection',
    model_type='end2end',
    post_processing=dict(
        score_threshold=0.05,
        confidence_threshold=0.005,  # YOLOv3's; unused here
        iou_threshold=0.5,
        max_output_boxes_per_class=200,
        pre_top_k=5000,
        keep_top_k=100,
        background_label_id=-1))
