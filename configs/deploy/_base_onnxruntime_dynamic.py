# mmdeploy 1.3.1's ONNX export for ONNX Runtime with dynamic batch and image
# size, as its configs/_base_/onnx_config.py and backends/onnxruntime.py
# (mmdeploy's configs are in its repository, not in its pip package).
onnx_config = dict(
    type='onnx',
    export_params=True,
    keep_initializers_as_inputs=False,
    opset_version=11,
    save_file='end2end.onnx',
    input_names=['input'],
    output_names=['output'],
    input_shape=None,
    optimize=True,
    dynamic_axes=dict(input={0: 'batch', 2: 'height', 3: 'width'}))
backend_config = dict(type='onnxruntime')
