import os
import subprocess
import sys

from evit_dense.benchmark.memory import MEMORY_ENVIRON, parameter_count
from evit_dense.models import EfficientViT


def test_peak_resident_memory_is_reset_and_follows_allocations():
    """In a process started as the benchmark starts its memory processes."""
    script = """
import torch
from evit_dense.benchmark import memory as benchmark
block = torch.ones(2 ** 24)  # 64 MB, touched
del block
benchmark.reset_peak_rss()
start = benchmark.current_rss_mb()
after_reset = benchmark.peak_rss_mb() - start
block = torch.ones(2 ** 24)
print(after_reset, benchmark.peak_rss_mb() - start)
"""
    env = {**os.environ, **MEMORY_ENVIRON}
    result = subprocess.run([sys.executable, '-c', script], env=env,
                            capture_output=True, text=True, check=True)
    after_reset, after_block = map(float, result.stdout.split()[-2:])
    assert after_reset < 16
    assert after_block > 56


def test_parameters_count_the_deploy_forms_attention_biases_not_bn_stats():
    """The deploy form's attention biases are ``cached_bias`` buffers:
    counted; BatchNorm running statistics are not."""
    model = EfficientViT(arch='m0')
    assert parameter_count(model) == sum(p.numel() for p in model.parameters())
    model.eval().switch_to_deploy()
    cached = sum(b.numel() for n, b in model.named_buffers()
                 if n.endswith('cached_bias'))
    assert cached > 0
    assert parameter_count(model) == cached + sum(
        p.numel() for p in model.parameters())
