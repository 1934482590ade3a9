"""The command line of tools/benchmark.py: every subcommand end to end, in
fresh processes as a user runs it (the measuring's parts: tests/benchmark)."""
import json
import subprocess
import sys

from tests.conftest import REPO_ROOT


def test_backbone_table_has_ours_first_and_references(tmp_path):
    out_json, out_png = tmp_path / 'bench.json', tmp_path / 'bench.png'
    result = subprocess.run(
        [sys.executable, 'tools/benchmark.py', 'backbone', '--arch', 'm0',
         '--shape', '64', '480', '--warmup', '1', '--repeat', '2', '--train',
         '--references', 'resnet18', '--json', str(out_json),
         '--plot', str(out_png)],
        cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    rows = json.loads(out_json.read_text())['rows']
    assert [r['name'] for r in rows] == ['m0', 'm0:deploy', 'm0:official',
                                         'm0:with_cp', 'resnet18']
    assert all(r['eval_latency_ms'] > 0 and r['params_m'] > 0 for r in rows)
    assert 'train_peak_mb' in rows[0] and 'train_latency_ms' not in rows[1]
    assert rows[-1]['params_m'] > rows[0]['params_m']  # ResNet-18 is larger
    assert rows[2]['params_m'] == rows[0]['params_m']  # official, same model
    assert 'ratio' in result.stdout
    assert out_png.stat().st_size > 1000
    ratios = json.loads(out_json.read_text())['ratios']
    assert set(ratios) == {
        'eval speed-up of m0:deploy over m0',
        'eval speed-up of m0:deploy over m0:official',
        'eval speed-up of m0 over m0:official',
        'train speed-up of m0 over m0:official',
        'eval speed-up of m0 over resnet18',
        'eval speed-up of m0:deploy over resnet18',
        'training peak memory of m0:with_cp / m0'}
    by_name = {r['name']: r for r in rows}
    assert ratios['eval speed-up of m0:deploy over m0'] == (
        by_name['m0']['eval_latency_ms'] /
        by_name['m0:deploy']['eval_latency_ms'])
    assert 'eval speed-up of m0:deploy over m0:official' in result.stdout
    # The official code has weights of its own: no output comparison.
    assert 'eval_output_difference' not in by_name['m0:official']
    assert by_name['m0:deploy']['eval_output_difference'] < 1e-5


def test_mit_backbone_table_times_mits_own_code_with_our_weights(tmp_path):
    """B/L archs: the reference row is MIT's vendored code (``:mit``),
    holding the first row's weights, so every row's outputs agree."""
    out_json = tmp_path / 'bench.json'
    result = subprocess.run(
        [sys.executable, 'tools/benchmark.py', 'backbone', '--arch', 'b0',
         '--shape', '64', '96', '--warmup', '1', '--repeat', '1', '--train',
         '--references', '--json', str(out_json)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(out_json.read_text())
    by_name = {r['name']: r for r in report['rows']}
    assert list(by_name) == ['b0', 'b0:deploy', 'b0:mit', 'b0:with_cp']
    assert by_name['b0:mit']['params_m'] == by_name['b0']['params_m']
    assert 'train_latency_ms' in by_name['b0:mit']
    for name in ['b0:deploy', 'b0:mit', 'b0:with_cp']:
        assert by_name[name]['eval_output_difference'] < 1e-5, name
    assert set(report['ratios']) == {
        'eval speed-up of b0:deploy over b0',
        'eval speed-up of b0:deploy over b0:mit',
        'eval speed-up of b0 over b0:mit',
        'train speed-up of b0 over b0:mit',
        'training peak memory of b0:with_cp / b0'}
    assert 'eval speed-up of b0:deploy over b0:mit' in result.stdout


def test_model_table_compares_configs_including_packaged_ones(tmp_path):
    config = 'configs/toy/retinanet_evit_m0_toy_coco.py'
    reference = 'mmdet::retinanet/retinanet_r18_fpn_1x_coco.py'
    out_json = tmp_path / 'bench.json'
    result = subprocess.run(
        [sys.executable, 'tools/benchmark.py', 'model', config,
         '--references', reference, '--shape', '64', '96', '--warmup', '1',
         '--repeat', '1', '--train', '--json', str(out_json)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(out_json.read_text())
    assert [r['name'] for r in report['rows']] == [
        config, f'{config}#deploy', f'{config}#with_cp', reference]
    assert all(r['eval_latency_ms'] > 0 for r in report['rows'])
    assert 'train_latency_ms' not in report['rows'][1]  # deploy: eval only
    assert f'eval speed-up of {config} over {reference}' in report['ratios']
    assert f'training peak memory of {config}#with_cp / {config}' in (
        report['ratios'])


def test_a_failing_measurement_stops_the_run():
    result = subprocess.run(
        [sys.executable, 'tools/benchmark.py', 'backbone', '--arch', 'm0',
         '--shape', '64', '96', '--references', 'resnet7'],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert 'failed' in result.stderr


def test_deploy_table_times_pytorch_and_onnxruntime_of_each_config(tmp_path):
    out_json = tmp_path / 'deploy.json'
    configs = [str(REPO_ROOT / 'configs' / 'toy' / name) for name in (
        'retinanet_evit_m0_toy_coco.py', 'fpn_evit_m0_toy_ade20k.py')]
    result = subprocess.run(
        [sys.executable, 'tools/benchmark.py', 'deploy', *configs,
         '--shape', '128', '128', '--warmup', '1', '--repeat', '1',
         '--json', str(out_json)],
        cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    rows = json.loads(out_json.read_text())['rows']
    assert [r['name'] for r in rows] == configs
    assert all(r['pytorch_ms'] > 0 and r['onnxruntime_ms'] > 0 for r in rows)
    assert 'speed-up' in result.stdout
