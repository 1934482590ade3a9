import subprocess
import sys

import onnx
import pytest

from tests.conftest import REPO_ROOT


@pytest.mark.parametrize('arch, num_outputs', [('m0', 3), ('b0', 4)])
def test_backbone_of_either_family_exports_and_matches_onnxruntime(
        tmp_path, arch, num_outputs):
    out = tmp_path / f'{arch}.onnx'
    result = subprocess.run(
        [sys.executable, 'tools/deployment/export_onnx.py', '--arch', arch,
         '--shape', '96', '200', '--out', str(out)],
        cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert 'max relative error' in result.stdout
    graph = onnx.load(str(out)).graph
    assert len(graph.output) == num_outputs
    # deploy form: no BatchNorm left in the graph
    assert not any(node.op_type == 'BatchNormalization' for node in graph.node)


def test_detector_network_exports_and_matches_onnxruntime(tmp_path):
    out = tmp_path / 'retinanet.onnx'
    result = subprocess.run(
        [sys.executable, 'tools/deployment/export_onnx.py',
         'configs/retinanet_evit_m0_coco.py', '--shape', '128', '160',
         '--out', str(out)],
        cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    # class scores and box deltas for each of the five levels
    assert len(onnx.load(str(out)).graph.output) == 10


def test_unknown_arch_is_one_line_naming_the_archs(tmp_path):
    result = subprocess.run(
        [sys.executable, 'tools/deployment/export_onnx.py', '--arch', 'x9',
         '--out', str(tmp_path / 'x9.onnx')],
        cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    assert 'Traceback' not in result.stderr
    assert "'x9'" in result.stderr and "'m4'" in result.stderr
    assert "'b1'" in result.stderr
    assert not (tmp_path / 'x9.onnx').exists()
