import re
import subprocess
import sys

from tests.conftest import REPO_ROOT


def run_complexity(*args):
    return subprocess.run(
        [sys.executable, 'tools/analysis/complexity.py', *args], cwd=REPO_ROOT,
        capture_output=True, text=True, check=True).stdout


def test_m4_agrees_with_the_paper():
    """Paper, Table 1: EfficientViT-M4 has 8.8M parameters and 299M FLOPs."""
    out = run_complexity('--arch', 'm4', '--shape', '224', '224', '--with-head')
    params, flops = map(float, re.search(r'^total\s+(\S+)\s+(\S+)', out, re.M).groups())
    assert abs(params - 8.8) < 0.05
    assert abs(flops - 0.299) / 0.299 < 0.005
    stages = re.findall(r'^stages\.\d\s+\S+\s+(\S+)', out, re.M)
    assert len(stages) == 3 and all(float(f) > 0 for f in stages)
