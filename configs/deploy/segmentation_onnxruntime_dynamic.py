# UperNet, semantic FPN and MIT's seg head to ONNX Runtime with mmdeploy,
# the label map (argmax) computed in the graph: mmdeploy's
# mmseg/segmentation_onnxruntime_dynamic.py.
_base_ = ['./_base_onnxruntime_dynamic.py']

onnx_config = dict(
    dynamic_axes=dict(output={0: 'batch', 2: 'height', 3: 'width'}))
codebase_config = dict(type='mmseg', task='Segmentation', with_argmax=True)
