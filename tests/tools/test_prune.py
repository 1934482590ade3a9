"""tools/analysis/prune.py on a trained toy RetinaNet, and its pruned config
through the other tools: test, fine-tune, complexity, ONNX export."""
import json
import re

import pytest
import torch

from tests.conftest import REPO_ROOT
from tests.tools.conftest import run_tool, write_fast_toy_config


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
    config = tmp_path / 'retinanet_r18.py'
    config.write_text("_base_ = 'mmdet::retinanet/retinanet_r18_fpn_1x_coco.py'\n")
    checkpoint = tmp_path / 'any.pth'
    checkpoint.write_bytes(b'')
    result = run_tool('tools/analysis/prune.py', config, checkpoint,
                      '--ratio', 0.3, '--out-dir', tmp_path, check=False)
    assert result.returncode == 1
    assert 'Traceback' not in result.stdout
    assert 'this config has ResNet' in result.stdout.strip().splitlines()[-1]


MIT_TOY_CONFIG = (REPO_ROOT / 'configs' / 'efficientvit_mit' / 'toy' /
                  'retinanet_evit_b0_toy_coco.py')


@pytest.fixture(scope='module')
def mit_toy(toy_coco, tmp_path_factory):
    """The toy RetinaNet-B0 (MIT's family) on the session's toy set, trained
    for one epoch of 2 iterations: (config, checkpoint)."""
    work_dir = tmp_path_factory.mktemp('mit_toy')
    config = write_fast_toy_config(
        work_dir / 'mit_toy.py', MIT_TOY_CONFIG, toy_coco,
        'train_cfg = dict(max_epochs=1, val_interval=1)\n'
        'default_hooks = dict(checkpoint=dict(interval=1))')
    run_tool('tools/train.py', config, '--work-dir', work_dir / 'train')
    return config, work_dir / 'train' / 'epoch_1.pth'


def test_mit_family_is_pruned_then_tested_finetuned_and_exported(mit_toy,
                                                                 tmp_path):
    config, checkpoint = mit_toy
    log = run_tool('tools/analysis/prune.py', config, checkpoint, '--ratio',
                   0.5, '--out-dir', tmp_path, '--num-batches', 2).stdout
    prefix = tmp_path / 'mit_toy_pruned'
    report = json.loads(prefix.with_name(prefix.name +
                                         '_report.json').read_text())
    # B0: two convolutional stages, then two with attention.
    assert set(report['kept']) == {
        'stage1.mbconv', 'stage2.mbconv',
        *(f'stage{s}.{c}' for s in (3, 4) for c in ('qk', 'value', 'mbconv'))}
    kept = sum(v['kept'] for v in report['kept'].values())
    before = sum(v['before'] for v in report['kept'].values())
    assert kept == before - round(0.5 * before)
    assert float(re.search(r'max \|diff\| (\S+) on', log).group(1)) <= 1e-5
    params = re.search(r'backbone parameters: (\S+)M -> (\S+)M', log)
    assert float(params.group(2)) < 0.8 * float(params.group(1))

    pruned_config = prefix.with_name(prefix.name + '.py')
    pruned_checkpoint = prefix.with_name(prefix.name + '.pth')
    tested = run_tool('tools/test.py', pruned_config, pruned_checkpoint,
                      '--work-dir', tmp_path / 'test')
    assert 'coco/bbox_mAP' in tested.stdout

    run_tool('tools/train.py', pruned_config, '--work-dir',
             tmp_path / 'finetune')
    last = (tmp_path / 'finetune' / 'last_checkpoint').read_text()
    finetuned = torch.load(last, weights_only=True)['state_dict']
    pruned_weights = torch.load(pruned_checkpoint,
                                weights_only=True)['state_dict']
    assert {k: v.shape for k, v in finetuned.items()} == {
        k: v.shape for k, v in pruned_weights.items()}

    exported = run_tool('tools/deployment/export_onnx.py', pruned_config,
                        pruned_checkpoint, '--shape', 128, 128, '--out',
                        tmp_path / 'pruned.onnx')
    assert 'max relative error' in exported.stdout
