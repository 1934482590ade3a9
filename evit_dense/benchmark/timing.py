"""Latency: every spec timed round-robin in one process.

Timing the models in turn, rather than one after the other, makes a drift of
the machine's speed (thermal throttling, a neighbour's load) hit all of them
alike, so that their ratios hold even when the absolute numbers move.
"""
import statistics
import time

import torch

from .backbones import output_differences
from .cases import build_cases


def run_steps(step, model, count, cuda):
    """Run ``step`` ``count`` times; return the seconds of each run."""
    times = []
    for _ in range(count):
        if cuda:
            torch.cuda.synchronize()
        start = time.perf_counter()
        step()
        if cuda:
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
        model.zero_grad(set_to_none=True)
    return times


def measure_latency(kind, specs, shape, batch, device, mode, warmup, repeat,
                    queue):
    """Median latency of every spec, timed round-robin in one process
    (a target of :func:`.isolation.run_isolated`). In each round a model
    runs once untimed first: the timed run then finds its weights and
    buffers warm, whichever model ran before it. For backbones in eval
    mode, also the output differences of the rows that share weights."""
    cases = build_cases(kind, specs, shape, batch, device, mode)
    cuda = device.startswith('cuda')
    times = {spec: [] for spec in specs}
    differences = (output_differences(cases, specs[0])
                   if kind == 'backbone' and mode == 'eval' else {})
    with torch.set_grad_enabled(mode == 'train'):
        for spec, (model, step) in cases.items():
            run_steps(step, model, warmup, cuda)
        for _ in range(repeat):
            for spec, (model, step) in cases.items():
                run_steps(step, model, 1, cuda)
                times[spec] += run_steps(step, model, 1, cuda)
    queue.put(dict(latency={spec: statistics.median(t)
                            for spec, t in times.items()},
                   differences=differences))
