import subprocess
import sys

import onnx

from tests.conftest import REPO_ROOT


def test_backbone_exports_and_matches_onnxruntime(tmp_path):
    out = tmp_path / 'm0.onnx'
    result = subprocess.run(
        [sys.executable, 'tools/deployment/export_onnx.py', '--arch', 'm0',
         '--shape', '96', '200', '--out', str(out)],
        cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert 'max relative error' in result.stdout
    graph = onnx.load(str(out)).graph
    assert len(graph.output) == 3
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
