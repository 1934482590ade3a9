import subprocess
import sys

import pytest
import torch

from evit_dense.engine import mmdeploy_export
from tests.conftest import REPO_ROOT


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


@pytest.mark.parametrize('imports', ['evit_dense, mmdeploy',
                                     'mmdeploy, evit_dense'])
def test_rpn_rewrite_is_registered_whichever_is_imported_first(imports):
    check = (f'import sys, {imports}\n'
             'from mmdeploy.core import FUNCTION_REWRITER\n'
             'records = FUNCTION_REWRITER._registry._rewrite_records[\n'
             '    "mmdet.models.dense_heads.rpn_head.RPNHead.predict_by_feat"]\n'
             'print(sorted(r["_object"].__name__ for r in records))\n')
    result = subprocess.run([sys.executable, '-c', check], cwd=REPO_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:]
    assert 'rpn_head__predict_by_feat__per_level_nms' in result.stdout
