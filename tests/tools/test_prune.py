"""tools/analysis/prune.py on a trained toy RetinaNet, and its pruned config
through the other tools: test, fine-tune, complexity, ONNX export."""
import json
import re

import pytest
import torch

from tests.conftest import REPO_ROOT
from tests.tools.conftest import run_tool


@pytest.fixture(scope='module')
def pruned(resume_config, uninterrupted, tmp_path_factory):
    out_dir = tmp_path_factory.mktemp('pruned')
    result = run_tool('tools/analysis/prune.py', resume_config,
                      uninterrupted / 'iter_6.pth', '--ratio', 0.3,
                      '--out-dir', out_dir, '--num-batches', 2)
    return out_dir / 'resume_toy_pruned', result.stdout


def test_prune_writes_config_checkpoint_and_report(pruned):
    prefix, log = pruned
    for suffix in ('.py', '.pth', '_report.json', '_report.png'):
        assert prefix.with_name(prefix.name + suffix).stat().st_size > 0
    report = json.loads(prefix.with_name(prefix.name +
                                         '_report.json').read_text())
    assert set(report['kept']) == {f'stage{s}.{c}' for s in (1, 2, 3)
                                   for c in ('qk', 'value', 'ffn')}
    kept = sum(v['kept'] for v in report['kept'].values())
    before = sum(v['before'] for v in report['kept'].values())
    assert kept == before - round(0.3 * before)
    assert re.search(r'3\s+qk\s+\d+ / 192', log)
    difference = float(re.search(r'max \|diff\| (\S+) on', log).group(1))
    assert difference <= 1e-5


def test_pruned_config_tests_finetunes_and_is_measured(pruned, tmp_path):
    prefix, _ = pruned
    config = prefix.with_name(prefix.name + '.py')
    text = config.read_text()
    assert "_delete_=True" in text and 'load_from' in text
    tested = run_tool('tools/test.py', config,
                      prefix.with_name(prefix.name + '.pth'), '--work-dir',
                      tmp_path / 'test')
    assert 'Epoch(test)' in tested.stdout

    run_tool('tools/train.py', config, '--work-dir', tmp_path / 'finetune',
             '--cfg-options', 'train_cfg.max_epochs=1')
    last = (tmp_path / 'finetune' / 'last_checkpoint').read_text()
    finetuned = torch.load(last, weights_only=True)['state_dict']
    pruned_weights = torch.load(prefix.with_name(prefix.name + '.pth'),
                                weights_only=True)['state_dict']
    assert {k: v.shape for k, v in finetuned.items()} == {
        k: v.shape for k, v in pruned_weights.items()}

    def backbone_params(config):
        out = run_tool('tools/analysis/complexity.py', config, '--shape', 128,
                       128, '--with-head').stdout
        return float(re.search(r'backbone\s+(\S+)', out).group(1))

    assert backbone_params(config) < 0.8 * backbone_params(
        REPO_ROOT / 'configs' / 'toy' / 'retinanet_evit_m0_toy_coco.py')

    exported = run_tool('tools/deployment/export_onnx.py', config,
                        prefix.with_name(prefix.name + '.pth'), '--shape',
                        128, 128, '--out', tmp_path / 'pruned.onnx')
    assert 'max relative error' in exported.stdout


def test_ratio_zero_writes_the_original_weights(resume_config, uninterrupted,
                                                tmp_path):
    run_tool('tools/analysis/prune.py', resume_config,
             uninterrupted / 'iter_6.pth', '--ratio', 0, '--out-dir',
             tmp_path, '--num-batches', 1)
    original = torch.load(uninterrupted / 'iter_6.pth',
                          weights_only=True)['state_dict']
    written = torch.load(tmp_path / 'resume_toy_pruned.pth',
                         weights_only=True)['state_dict']
    assert written.keys() == original.keys()
    for key, value in original.items():
        assert torch.equal(written[key], value), key


def test_other_backbones_are_refused_by_name(tmp_path):
    config = (REPO_ROOT / 'configs' / 'efficientvit_mit' / 'toy' /
              'retinanet_evit_b0_toy_coco.py')
    checkpoint = tmp_path / 'any.pth'
    checkpoint.write_bytes(b'')
    result = run_tool('tools/analysis/prune.py', config, checkpoint,
                      '--ratio', 0.3, '--out-dir', tmp_path, check=False)
    assert result.returncode == 1
    assert 'Traceback' not in result.stdout
    assert 'EfficientViTMIT' in result.stdout.strip().splitlines()[-1]
