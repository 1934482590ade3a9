"""mmdeploy 1.3's ONNX export on this project's torch, applied on import so
that mmdeploy's own ``tools/deploy.py`` works on our configs as typed (their
``custom_imports`` import the package before the model is exported).

mmdeploy calls ``torch.onnx.export`` without ``dynamo``, and since torch
2.9 that selects the dynamo exporter, which mmdeploy's rewriters do not
support (``inputs[0] is a tuple but dynamic_shapes[0] is a dict``). For
calls from mmdeploy only, the TorchScript exporter it was written for is
selected; other callers of ``torch.onnx.export`` (``tools/deployment/
export_onnx.py`` included) are not affected. (mmdeploy itself exports the
backbone's deploy form: it calls ``backbone.switch_to_deploy()``.)

mmdeploy's RoIAlign symbolic for ONNX Runtime (Mask R-CNN) imports
``torch.onnx.symbolic_opset9._cast_Long``, which torch has since removed;
it is restored as the cast it was.
"""
import sys

import torch


def _called_from_mmdeploy(depth=2):
    caller = sys._getframe(depth).f_globals.get('__name__', '')
    return caller.split('.')[0] == 'mmdeploy'


def _cast_long(g, input, non_blocking):
    return g.op('Cast', input, to_i=torch._C._onnx.TensorProtoDataType.INT64)


# torch's own export, once wrapped.
_torch_export = None


def export_as_mmdeploy_expects(*args, **kwargs):
    """``torch.onnx.export``; from mmdeploy, with the TorchScript exporter
    unless it asks otherwise."""
    if _called_from_mmdeploy():
        kwargs.setdefault('dynamo', False)
    return _torch_export(*args, **kwargs)


def export_torchscript_for_mmdeploy():
    """Wrap ``torch.onnx.export`` (once) with ``export_as_mmdeploy_expects``
    and restore the symbolic helper mmdeploy's RoIAlign needs."""
    global _torch_export
    import torch.onnx.symbolic_opset9 as opset9
    if not hasattr(opset9, '_cast_Long'):
        opset9._cast_Long = _cast_long
    if torch.onnx.export is not export_as_mmdeploy_expects:
        _torch_export = torch.onnx.export
        torch.onnx.export = export_as_mmdeploy_expects
