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


def totals(out):
    return tuple(map(float, re.search(r'^total\s+(\S+)\s+(\S+)', out,
                                      re.M).groups()))


def test_mit_b1_backbone_rows_add_up():
    """MIT's archs: stem and four stages, whose parameters are the model's."""
    from evit_dense.models import EfficientViTMIT
    out = run_complexity('--arch', 'b1', '--shape', '64', '64')
    rows = re.findall(r'^(stem|stages\.\d)\s+(\S+)\s+(\S+)', out, re.M)
    assert [name for name, _, _ in rows] == [
        'stem', 'stages.0', 'stages.1', 'stages.2', 'stages.3']
    params = sum(p.numel() for p in EfficientViTMIT(arch='b1').parameters())
    assert abs(totals(out)[0] - params / 1e6) < 0.001
    assert abs(sum(float(p) for _, p, _ in rows) - totals(out)[0]) < 0.005
    assert all(float(f) > 0 for _, _, f in rows)


def test_mit_b1_with_imagenet_head_agrees_with_mits_table():
    """MIT's README: EfficientViT-B1 (r224) has 9.1M parameters, 0.52G MACs."""
    params, flops = totals(run_complexity('--arch', 'b1', '--shape', '224',
                                          '224', '--with-head'))
    assert abs(params - 9.1) < 0.05
    assert abs(flops - 0.52) < 0.005


def test_seg_b1_ade20k_agrees_with_mits_table(tmp_path):
    """MIT's README: EfficientViT-Seg-B1 on ADE20K has 4.8M parameters and
    3.1G MACs at 512x512, the attention's matrix products included."""
    config = tmp_path / 'seg_b1.py'
    config.write_text('''
default_scope = 'mmseg'
custom_imports = dict(imports=['evit_dense'], allow_failed_imports=False)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=dict(type='SegDataPreProcessor', size=(512, 512)),
    backbone=dict(type='EfficientViTMIT', arch='b1', out_indices=(2, 3, 4)),
    decode_head=dict(
        type='EfficientViTMITSegHead', in_channels=[64, 128, 256],
        channels=64, num_blocks=3, block_type='mbconv', expand_ratio=4,
        final_expand=None, num_classes=150, in_index=(0, 1, 2),
        act='hswish'),
    train_cfg=dict(), test_cfg=dict(mode='whole'))
''')
    out = run_complexity(str(config), '--shape', '512', '512')
    params, flops = totals(out)
    assert abs(params - 4.8) < 0.05
    assert abs(flops - 3.1) < 0.05
    assert re.search(r'^decode_head\s+\S+\s+(\S+)', out, re.M)
