import torch

from evit_dense.runtime import mmdeploy_export


def call_export_from(module_name):
    """Call ``torch.onnx.export`` as code of module ``module_name`` does;
    return the keyword arguments torch's own export received."""
    received = {}

    def torch_export(*args, **kwargs):
        received.update(kwargs)

    caller = {'__name__': module_name, 'torch': torch}
    exec('def export():\n'
         '    torch.onnx.export(None, (), "end2end.onnx", opset_version=11)',
         caller)
    original = mmdeploy_export._torch_export
    mmdeploy_export._torch_export = torch_export
    try:
        caller['export']()
    finally:
        mmdeploy_export._torch_export = original
    return received


def test_importing_the_package_wraps_torch_export():
    assert torch.onnx.export is mmdeploy_export.export_as_mmdeploy_expects
    assert hasattr(torch.onnx.symbolic_opset9, '_cast_Long')


def test_mmdeploy_exports_with_torchscript():
    received = call_export_from('mmdeploy.apis.onnx.export')
    assert received == dict(opset_version=11, dynamo=False)


def test_other_callers_are_left_alone():
    received = call_export_from('tools.deployment.export_onnx')
    assert received == dict(opset_version=11)
