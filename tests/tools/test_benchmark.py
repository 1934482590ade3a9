import json
import subprocess
import sys

from tests.conftest import REPO_ROOT


def test_backbone_table_has_ours_first_and_references(tmp_path):
    out_json, out_png = tmp_path / 'bench.json', tmp_path / 'bench.png'
    result = subprocess.run(
        [sys.executable, 'tools/benchmark.py', 'backbone', '--arch', 'm0',
         '--shape', '64', '96', '--warmup', '1', '--repeat', '2', '--train',
         '--references', 'resnet18', '--json', str(out_json),
         '--plot', str(out_png)],
        cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    rows = json.loads(out_json.read_text())['rows']
    assert [r['name'] for r in rows] == ['m0', 'm0:deploy', 'm0:with_cp',
                                         'resnet18']
    assert all(r['eval_latency_ms'] > 0 and r['params_m'] > 0 for r in rows)
    assert 'train_peak_mb' in rows[0] and 'train_latency_ms' not in rows[1]
    assert rows[-1]['params_m'] > rows[0]['params_m']  # ResNet-18 is larger
    assert 'ratio' in result.stdout
    assert out_png.stat().st_size > 1000
