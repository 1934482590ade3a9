"""Prune a trained EfficientViT detector or segmentor (M0-M5, or MIT's B/L
series): structured Taylor pruning of query/key, value and FFN (MBConv)
channels, ranked globally.

Writes into OUT_DIR, for CONFIG named NAME:
- NAME_pruned.py: a config that inherits CONFIG, sets the slimmer backbone
  ``arch`` and ``load_from`` the pruned weights (fine-tune it with
  tools/train.py, evaluate it with tools/test.py);
- NAME_pruned.pth: the whole model with the pruned backbone;
- NAME_pruned_report.json and .png: the fraction of channels kept per stage
  and component (the paper's analysis, for your model and data), also
  printed as a table.

Example:
    python tools/analysis/prune.py configs/toy/retinanet_evit_m0_toy_coco.py \\
        work_dirs/retinanet_evit_m0_toy_coco/epoch_24.pth --ratio 0.3 \\
        --out-dir work_dirs/pruned_0.3
    python tools/train.py \\
        work_dirs/pruned_0.3/retinanet_evit_m0_toy_coco_pruned.py \\
        --cfg-options train_cfg.max_epochs=6
"""
import argparse
import io
import itertools
import json
import os.path as osp
import warnings

# Third-party imports still use setuptools' deprecated pkg_resources; only
# that notice is silenced.
warnings.filterwarnings('ignore', 'pkg_resources is deprecated', UserWarning)

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt
import torch
from mmengine.config import Config, DictAction
from mmengine.registry import MODELS, init_default_scope
from mmengine.runner import Runner, load_checkpoint

import evit_dense  # noqa: F401  MMEngine fixes, models
from evit_dense.errors import ConfigError
from evit_dense.models.families import require_family
from evit_dense.utils import (check_checkpoint_path, check_dataset_paths,
                              load_tool_config, run_tool, write_atomically)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='config of the trained model')
    parser.add_argument('checkpoint', help='its trained checkpoint')
    parser.add_argument('--ratio', type=float, required=True,
                        help='fraction of the prunable channels to remove')
    parser.add_argument('--out-dir', required=True,
                        help='where to write the pruned config, checkpoint '
                        'and report')
    parser.add_argument('--num-batches', type=int, default=16,
                        help='training batches to accumulate importance over')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value pairs')
    return parser.parse_args(argv)


def repeat_batches(dataloader):
    """The dataloader's batches, going round again when they run out
    (one iterator per pass: MMEngine's InfiniteSampler allows only one)."""
    while True:
        yield from dataloader


def report_table(fractions):
    lines = ['stage  component  kept / before  fraction']
    for (stage, component), (kept, before) in fractions.items():
        lines.append(f'{stage + 1:>5}  {component:<9}  {kept:>6} / {before:<6}'
                     f'  {kept / before:8.2f}')
    return '\n'.join(lines)


def plot_report(fractions, components, ratio, path):
    stages = sorted({stage for stage, _ in fractions})
    figure, axis = plt.subplots(figsize=(6, 3.5))
    width = 0.8 / len(components)
    for k, component in enumerate(components):
        values = [fractions[(s, component)][0] / fractions[(s, component)][1]
                  if (s, component) in fractions else 0 for s in stages]
        axis.bar([s + (k - 1) * width for s in stages], values, width,
                 label=component)
    axis.set_xticks(stages, [f'stage {s + 1}' for s in stages])
    axis.set_ylim(0, 1.05)
    axis.set_ylabel('fraction of channels kept')
    axis.set_title(f'Taylor pruning, ratio {ratio}')
    axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def pruned_config_text(arch, checkpoint, args):
    """The pruned config: CONFIG with the pruned backbone arch (replacing
    the inherited one) and its weights."""
    body = Config(dict(
        model=dict(backbone=dict(arch=dict(_delete_=True, **arch),
                                 init_cfg=None)),
        load_from=osp.abspath(checkpoint))).pretty_text
    return (f'# Written by tools/analysis/prune.py from {args.config} and\n'
            f'# {args.checkpoint}: ratio {args.ratio}, importance over '
            f'{args.num_batches} batches.\n'
            f'_base_ = {osp.abspath(args.config)!r}\n\n{body}')


def main(argv=None):
    args = parse_args(argv)
    cfg = load_tool_config(args.config, args.cfg_options)
    if not 0 <= args.ratio < 1:
        raise ConfigError(f'--ratio must be in [0, 1), got {args.ratio}')
    pruning = require_family(cfg, f'{args.config}: tools/analysis/prune.py'
                            ).pruning
    check_checkpoint_path(args.checkpoint)
    check_dataset_paths(cfg, ['train_dataloader'])
    init_default_scope(cfg.default_scope)
    cfg.model.backbone.init_cfg = None
    model = MODELS.build(cfg.model)
    load_checkpoint(model, args.checkpoint, map_location='cpu',
                    logger='current')
    # A few batches, read twice: worker processes would not pay off.
    cfg.train_dataloader.update(num_workers=0, persistent_workers=False)
    dataloader = Runner.build_dataloader(
        cfg.train_dataloader, seed=cfg.get('randomness', {}).get('seed', 0))

    batches = repeat_batches(dataloader)
    first = next(batches)
    units, importance = pruning.taylor_importance(
        model, itertools.chain([first], itertools.islice(
            batches, args.num_batches - 1)))
    kept = pruning.select_channels(units, importance, args.ratio)
    original = model.backbone.eval()
    pruned = pruning.prune_backbone(original, units, kept).eval()
    with torch.no_grad():
        inputs = model.data_preprocessor(first, True)['inputs']
        difference = max(
            (ours - theirs).abs().max().item() for ours, theirs in zip(
                pruned(inputs),
                pruning.zero_pruned_channels(original, units,
                                            kept).eval()(inputs)))
    model.backbone = pruned

    name = osp.splitext(osp.basename(args.config))[0] + '_pruned'
    out = osp.join(args.out_dir, name)
    buffer = io.BytesIO()
    torch.save(dict(meta=dict(pruned_from=args.checkpoint, ratio=args.ratio,
                              num_batches=args.num_batches),
                    state_dict=model.state_dict()), buffer)
    write_atomically(out + '.pth', buffer.getvalue())
    write_atomically(out + '.py', pruned_config_text(
        pruned.arch_settings, out + '.pth', args))
    fractions = pruning.kept_fractions(units, kept)
    write_atomically(out + '_report.json', json.dumps(dict(
        ratio=args.ratio, num_batches=args.num_batches,
        kept={f'stage{stage + 1}.{component}': dict(kept=k, before=b)
              for (stage, component), (k, b) in fractions.items()},
        block_widths=pruned.arch_settings['block_widths']), indent=2))
    plot_report(fractions, pruning.COMPONENTS, args.ratio,
                out + '_report.png')

    params = [sum(p.numel() for p in m.parameters()) for m in (original,
                                                               pruned)]
    print(report_table(fractions))
    print(f'backbone parameters: {params[0] / 1e6:.3f}M -> '
          f'{params[1] / 1e6:.3f}M; the pruned backbone equals the original '
          f'with the pruned channels zeroed (max |diff| {difference:.1e} on '
          f'a training batch)')
    print(f'wrote {out}.py, {out}.pth, {out}_report.json, {out}_report.png')


if __name__ == '__main__':
    run_tool(main)
