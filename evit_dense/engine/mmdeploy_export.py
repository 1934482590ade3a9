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

Once mmdeploy is imported (before or after this package), the RPN rewrite
of ``mmdeploy_rpn`` is registered with it, so that Mask R-CNN's proposals
in ONNX Runtime are mmdet's.
"""
import importlib
import importlib.abc
import importlib.util
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
    """Wrap ``torch.onnx.export`` (once) with ``export_as_mmdeploy_expects``,
    restore the symbolic helper mmdeploy's RoIAlign needs and register the
    RPN rewrite."""
    global _torch_export
    import torch.onnx.symbolic_opset9 as opset9
    if not hasattr(opset9, '_cast_Long'):
        opset9._cast_Long = _cast_long
    if torch.onnx.export is not export_as_mmdeploy_expects:
        _torch_export = torch.onnx.export
        torch.onnx.export = export_as_mmdeploy_expects
    register_rpn_rewrite_with_mmdeploy()


class _AfterImport(importlib.abc.MetaPathFinder):
    """Runs ``callback`` right after the module ``name`` is first imported."""

    def __init__(self, name, callback):
        self.name, self.callback = name, callback

    def find_spec(self, name, path=None, target=None):
        if name != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        exec_module = spec.loader.exec_module

        def exec_then_callback(module):
            exec_module(module)
            self.callback()

        spec.loader.exec_module = exec_then_callback
        return spec


def _register_rpn_rewrite():
    importlib.import_module('evit_dense.engine.mmdeploy_rpn')


def register_rpn_rewrite_with_mmdeploy():
    """Register ``mmdeploy_rpn`` with mmdeploy: now if it is imported,
    else right after it is."""
    if 'mmdeploy' in sys.modules:
        _register_rpn_rewrite()
    elif importlib.util.find_spec('mmdeploy') is not None and not any(
            isinstance(finder, _AfterImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _AfterImport('mmdeploy',
                                             _register_rpn_rewrite))
