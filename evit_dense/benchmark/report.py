"""The tables, ratios and JSON of a benchmark.

Ratios are relative to the first row (ours) and read "how many times better
ours is": latency and memory as other / ours, throughput as ours / other.
"""
import json

import torch

# (row key, column label) of the main table, in order; a column is shown
# when some row has it.
COLUMNS = [('eval_latency_ms', 'eval ms'), ('eval_throughput', 'img/s'),
           ('eval_peak_mb', 'eval MB'), ('train_latency_ms', 'train ms'),
           ('train_peak_mb', 'train MB')]


def title(kind, device, batch, shape):
    return (f'{kind} benchmark on {device}, input '
            f'{batch}x3x{shape[0]}x{shape[1]}, '
            f'torch threads {torch.get_num_threads()}')


def deploy_title(onnxruntime_version, device, batch, shape):
    return (f'ONNX Runtime {onnxruntime_version} (mmdeploy) vs PyTorch '
            f'eager on {device}, input {batch}x3x'
            f'{shape[0]}x{shape[1]}, torch threads '
            f'{torch.get_num_threads()}')


def ratio(key, ours, row):
    """How many times better ``ours`` is than ``row`` in column ``key``
    (nan where ours lacks it or the row's value is zero)."""
    if key not in ours or not row[key]:
        return float('nan')
    if key.endswith('throughput'):  # higher is better
        return ours[key] / row[key]
    return row[key] / ours[key]


def format_table(rows, title):
    """The table of :func:`.runs.benchmark`'s rows: parameters, then each
    measured column with its ratio to the first row, then how far the eval
    outputs of the rows that share its weights are from its own."""
    columns = [c for c in COLUMNS if any(c[0] in r for r in rows)]
    ours = rows[0]
    lines = [title, f'{"model":<58}{"params M":>9}' + ''.join(
        f'{label:>10}{"ratio":>7}' for _, label in columns)]
    for row in rows:
        line = f'{row["name"]:<58}{row["params_m"]:>9.2f}'
        for key, _ in columns:
            if key not in row:
                line += f'{"-":>10}{"":>7}'
                continue
            line += f'{row[key]:>10.1f}{ratio(key, ours, row):>7.2f}'
        lines.append(line)
    lines.append('ratio: how many times better the first row is than each '
                 'row (latency, memory: other / ours; img/s: ours / other).')
    for row in rows[1:]:
        if 'eval_output_difference' in row:
            lines.append(
                f'eval outputs of {row["name"]} vs {ours["name"]}: largest '
                f'difference {row["eval_output_difference"]:.1e} of the '
                'largest magnitude')
    return '\n'.join(lines)


def format_deploy_table(rows, title):
    """The table of :func:`.runs.benchmark_deploy`'s rows."""
    lines = [title,
             f'{"model":<66}{"PyTorch ms":>11}{"ORT ms":>9}{"speed-up":>9}']
    for row in rows:
        lines.append(f'{row["name"]:<66}{row["pytorch_ms"]:>11.1f}'
                     f'{row["onnxruntime_ms"]:>9.1f}'
                     f'{row["pytorch_ms"] / row["onnxruntime_ms"]:>9.2f}')
    lines.append('speed-up: PyTorch eager latency / ONNX Runtime latency '
                 '(end to end per image, pre-processing excluded).')
    return '\n'.join(lines)


def key_ratios(rows, first, references, separator, original='official'):
    """The ratios the project's targets are stated in, where measured:
    speed-ups (other's latency / this one's) and a memory fraction.
    ``separator`` joins a spec and its option (':' for backbones, '#' for
    configs); ``original`` is the option of the row of the authors' code
    (None: no such row)."""
    by_name = {row['name']: row for row in rows}
    deploy, official, with_cp = (f'{first}{separator}{option}' for option in
                                 ('deploy', original, 'with_cp'))
    wanted = [('eval', deploy, first), ('eval', deploy, official),
              ('eval', first, official), ('train', first, official)]
    for reference in references:
        wanted += [('eval', first, reference), ('eval', deploy, reference)]
    ratios = {}
    for mode, ours, other in wanted:
        key = f'{mode}_latency_ms'
        if key in by_name.get(ours, {}) and key in by_name.get(other, {}):
            ratios[f'{mode} speed-up of {ours} over {other}'] = (
                by_name[other][key] / by_name[ours][key])
    if 'train_peak_mb' in by_name.get(with_cp, {}):
        ratios[f'training peak memory of {with_cp} / {first}'] = (
            by_name[with_cp]['train_peak_mb'] / by_name[first]['train_peak_mb'])
    return ratios


def format_ratios(ratios):
    return '\n'.join(f'{label}: {value:.2f}' for label, value in ratios.items())


def write_json(path, **report):
    with open(path, 'w') as f:
        json.dump(report, f, indent=2)
