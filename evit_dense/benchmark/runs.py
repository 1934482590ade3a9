"""What a benchmark measures, and in which processes.

The rows of a table (its specs, ours first), then per mode (eval, and train
if asked): the latency of every row in one process (:mod:`.timing`) and the
peak memory of each row in a process of its own (:mod:`.memory`). Every
number of a table comes from the same run.
"""
from ..models import family_of_arch
from .isolation import run_isolated
from .memory import MEMORY_ENVIRON, measure_memory
from .references import REFERENCES
from .timing import measure_latency


def backbone_specs(archs, references, shape, train):
    """``(specs, reference, note)``: the rows of a backbone benchmark. The
    first arch gets its deploy form, its family's reference implementation
    (``reference``: its option), and with ``train`` its ``with_cp`` form
    too; then the other archs and ``references`` (``resnet18``, ...).
    ``note`` says why the reference row is left out, if it is."""
    first, *others = archs
    reference = REFERENCES[family_of_arch(first).reference]
    specs = [first, f'{first}:deploy']
    note = None
    if reference.runs_at(shape):
        specs.append(f'{first}:{reference.name}')
    else:
        note = f'No {reference.name} row: {reference.fails_when}'
    if train:
        specs.append(f'{first}:with_cp')
    return specs + others + list(references), reference.name, note


def model_specs(config, references, train):
    """The rows of a whole-model benchmark: the config, its deploy form,
    with ``train`` its ``with_cp`` form, then the ``references``."""
    specs = [config, f'{config}#deploy']
    if train:
        specs.append(f'{config}#with_cp')
    return specs + list(references)


def benchmark(kind, specs, shape, batch, device, warmup, repeat, train):
    """One row per spec: ``params_m``, and per mode ``{mode}_latency_ms``,
    ``{mode}_throughput`` (images/s), ``{mode}_peak_mb``; for a backbone
    sharing the first row's weights, ``eval_output_difference``."""
    rows = {spec: dict(name=spec) for spec in specs}
    for mode in ['eval'] + (['train'] if train else []):
        # the deploy form is for inference only
        mode_specs = [s for s in specs
                      if mode == 'eval' or not s.endswith('deploy')]
        measured = run_isolated(measure_latency, kind, mode_specs, shape,
                                batch, device, mode, warmup, repeat)
        latency = measured['latency']
        for spec, difference in measured['differences'].items():
            rows[spec]['eval_output_difference'] = difference
        for spec in mode_specs:
            memory = run_isolated(measure_memory, kind, spec, shape, batch,
                                  device, mode, environ=MEMORY_ENVIRON)
            rows[spec]['params_m'] = memory['params_m']
            rows[spec].update({
                f'{mode}_latency_ms': latency[spec] * 1000,
                f'{mode}_throughput': batch / latency[spec],
                f'{mode}_peak_mb': memory['peak_mb']})
    return list(rows.values())


def benchmark_deploy(configs, shape, batch, device, warmup, repeat):
    """Latency of each config in PyTorch eager and in ONNX Runtime, all
    timed round-robin in one process."""
    specs = [s for config in configs for s in (config, f'{config}#onnxruntime')]
    latency = run_isolated(measure_latency, 'deploy', specs, shape, batch,
                           device, 'eval', warmup, repeat)['latency']
    return [dict(name=config, pytorch_ms=latency[config] * 1000,
                 onnxruntime_ms=latency[f'{config}#onnxruntime'] * 1000)
            for config in configs]
