"""mmdeploy 1.3's ONNX export on this project's torch (written for torch 2.9
to 2.13, mmdeploy 1.3.1), applied on import so that mmdeploy's own
``tools/deploy.py`` works on our configs as typed (their ``custom_imports``
import the package before the model is exported).

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

A patch: torch has no setting for the exporter ``torch.onnx.export`` picks,
and mmdeploy imports ``_cast_Long`` by name. Skipped where torch's export
defaults to TorchScript and still has ``_cast_Long``; each part is applied
only where it is missing.
"""
import inspect
import sys

import torch
import torch.onnx.symbolic_opset9 as opset9

from .fix import Fix


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


def _exports_with_dynamo_by_default():
    dynamo = inspect.signature(torch.onnx.export).parameters.get('dynamo')
    return dynamo is not None and dynamo.default is True


def export_torchscript_for_mmdeploy():
    """Wrap ``torch.onnx.export`` (once) with ``export_as_mmdeploy_expects``
    and restore the symbolic helper mmdeploy's RoIAlign needs."""
    global _torch_export
    if not hasattr(opset9, '_cast_Long'):
        opset9._cast_Long = _cast_long
    if _exports_with_dynamo_by_default():  # false once wrapped
        _torch_export = torch.onnx.export
        torch.onnx.export = export_as_mmdeploy_expects


def _torch_fits_mmdeploy():
    return (not _exports_with_dynamo_by_default()
            and hasattr(opset9, '_cast_Long'))


FIX = Fix(
    name='mmdeploy_export',
    apply=export_torchscript_for_mmdeploy,
    written_for={'torch': ('2.9', '2.13'), 'mmdeploy': ('1.3', '1.3')},
    replaces=('torch.onnx.export', 'torch.onnx.symbolic_opset9._cast_Long'),
    upstream_fixed=_torch_fits_mmdeploy)
