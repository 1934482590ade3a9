import json
import math

from evit_dense.benchmark.report import (format_deploy_table, format_ratios,
                                         format_table, key_ratios, ratio,
                                         write_json)

ROWS = [
    dict(name='m0', params_m=2.0, eval_latency_ms=10.0, eval_throughput=100.0,
         eval_peak_mb=50.0, train_latency_ms=30.0, train_peak_mb=200.0),
    dict(name='m0:deploy', params_m=2.0, eval_latency_ms=5.0,
         eval_throughput=200.0, eval_peak_mb=40.0,
         eval_output_difference=3e-7),
    dict(name='m0:official', params_m=2.0, eval_latency_ms=20.0,
         eval_throughput=50.0, eval_peak_mb=100.0, train_latency_ms=60.0,
         train_peak_mb=400.0),
    dict(name='m0:with_cp', params_m=2.0, eval_latency_ms=12.0,
         eval_throughput=80.0, eval_peak_mb=50.0, train_latency_ms=45.0,
         train_peak_mb=100.0, eval_output_difference=0.0),
    dict(name='resnet18', params_m=11.0, eval_latency_ms=40.0,
         eval_throughput=25.0, eval_peak_mb=150.0, train_latency_ms=90.0,
         train_peak_mb=600.0),
]


def test_ratios_say_how_many_times_better_ours_is():
    ours, official = ROWS[0], ROWS[2]
    assert ratio('eval_latency_ms', ours, official) == 2.0  # other / ours
    assert ratio('eval_peak_mb', ours, official) == 2.0
    assert ratio('eval_throughput', ours, official) == 2.0  # ours / other
    assert math.isnan(ratio('train_latency_ms', ROWS[1], official))
    assert math.isnan(ratio('eval_latency_ms', ours,
                            dict(eval_latency_ms=0.0)))


def test_table_has_a_ratio_per_column_and_a_dash_where_not_measured():
    lines = format_table(ROWS, 'the title').splitlines()
    assert lines[0] == 'the title'
    assert lines[1].split() == [
        'model', 'params', 'M', 'eval', 'ms', 'ratio', 'img/s', 'ratio',
        'eval', 'MB', 'ratio', 'train', 'ms', 'ratio', 'train', 'MB',
        'ratio']
    official = lines[4].split()
    assert official == ['m0:official', '2.00', '20.0', '2.00', '50.0',
                        '2.00', '100.0', '2.00', '60.0', '2.00', '400.0',
                        '2.00']
    deploy = lines[3].split()  # eval only: train columns are dashes
    assert deploy[-2:] == ['-', '-']
    assert deploy[1:3] == ['2.00', '5.0'] and deploy[3] == '0.50'
    assert lines[7].startswith('ratio: how many times better')
    assert lines[8:] == [
        'eval outputs of m0:deploy vs m0: largest difference 3.0e-07 of '
        'the largest magnitude',
        'eval outputs of m0:with_cp vs m0: largest difference 0.0e+00 of '
        'the largest magnitude']


def test_table_shows_only_measured_columns():
    rows = [{k: v for k, v in row.items() if not k.startswith('train')}
            for row in ROWS]
    header = format_table(rows, 't').splitlines()[1]
    assert 'train' not in header and 'eval MB' in header


def test_key_ratios_of_a_backbone_run():
    ratios = key_ratios(ROWS, 'm0', ['resnet18'], ':', 'official')
    assert ratios == {
        'eval speed-up of m0:deploy over m0': 2.0,
        'eval speed-up of m0:deploy over m0:official': 4.0,
        'eval speed-up of m0 over m0:official': 2.0,
        'train speed-up of m0 over m0:official': 2.0,
        'eval speed-up of m0 over resnet18': 4.0,
        'eval speed-up of m0:deploy over resnet18': 8.0,
        'training peak memory of m0:with_cp / m0': 0.5}
    assert format_ratios(ratios).splitlines()[1] == (
        'eval speed-up of m0:deploy over m0:official: 4.00')


def test_key_ratios_of_a_model_run_have_no_original_row():
    rows = [dict(row, name=row['name'].replace(':', '#')) for row in ROWS]
    ratios = key_ratios(rows, 'm0', [], '#', None)
    assert ratios == {'eval speed-up of m0#deploy over m0': 2.0,
                      'training peak memory of m0#with_cp / m0': 0.5}


def test_deploy_table_speed_up_is_pytorch_over_onnxruntime():
    table = format_deploy_table(
        [dict(name='a.py', pytorch_ms=30.0, onnxruntime_ms=12.0)], 't')
    lines = table.splitlines()
    assert lines[1].split() == ['model', 'PyTorch', 'ms', 'ORT', 'ms',
                                'speed-up']
    assert lines[2].split() == ['a.py', '30.0', '12.0', '2.50']
    assert lines[3].startswith('speed-up: PyTorch eager latency')


def test_json_holds_the_report(tmp_path):
    path = tmp_path / 'r.json'
    write_json(path, title='t', rows=ROWS[:1], ratios={'x': 1.5})
    assert json.loads(path.read_text()) == dict(title='t', rows=ROWS[:1],
                                                ratios={'x': 1.5})
