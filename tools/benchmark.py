"""Latency, throughput and peak memory of EfficientViT against reference backbones.

Backbones alone (ours in training form and deploy form, the family's
reference implementation, ResNet-18/50 from mmdet):

    python tools/benchmark.py backbone --arch m4 --shape 800 1216 --train
    python tools/benchmark.py backbone --arch b1 --shape 512 512 --train

The reference row of an arch is its authors' own code, vendored in
``third_party/``: ``m4:official`` (Microsoft's EfficientViT, M0-M5) or
``b1:mit`` (MIT's EfficientViT, B0-B3 and L0-L3). The rows of the first
arch (training form, deploy form, ``with_cp``, and MIT's code, into which
our weights are copied) share their weights, and how far their eval outputs
are from the first row's is printed with the table.

Whole models from configs (ours, ours with ``with_cp``, and reference configs):

    python tools/benchmark.py model configs/retinanet_evit_m4_coco.py \\
        --references mmdet::retinanet/retinanet_r18_fpn_1x_coco.py --shape 800 1333

ONNX Runtime through mmdeploy against PyTorch eager, end to end per image
(pre-processing excluded, post-processing included; the model exported by
mmdeploy with configs/deploy/'s config for its task, run by mmdeploy's
ONNX Runtime wrapper as its tools/test.py runs it):

    python tools/benchmark.py deploy configs/retinanet_evit_m4_coco.py \\
        mmdet::retinanet/retinanet_r18_fpn_1x_coco.py --shape 800 1333

Every number of a table comes from the same run; ratios are relative to the
first row (ours). Latency is the median over ``--repeat`` runs after
``--warmup`` runs, all models timed in turn in one process so that a drift of
the machine's speed affects them alike (each timed run right after an untimed
one of the same model). Peak memory is measured for each model
alone in a fresh process, over one step after a warm-up step (which makes the
one-time allocations, such as oneDNN's caches). On CPU it is the peak resident
memory (Linux's VmHWM, reset after warm-up) above the resident memory at the
start of the step, with glibc told to return every block over 128 KiB to the
system when freed, so that resident memory follows the live tensors rather
than the allocator's cache. On CUDA it is the peak allocated memory.

The measuring lives in ``evit_dense.benchmark``; this file is its command line.
"""
import argparse
import warnings

# Third-party imports still use setuptools' deprecated pkg_resources; only
# that notice is silenced.
warnings.filterwarnings('ignore', 'pkg_resources is deprecated', UserWarning)

import torch

from evit_dense.benchmark import (backbone_specs, benchmark, benchmark_deploy,
                                  model_specs)
from evit_dense.benchmark.onnxruntime_runner import onnxruntime_version
from evit_dense.benchmark.plot import plot
from evit_dense.benchmark.report import (deploy_title, format_deploy_table,
                                         format_ratios, format_table,
                                         key_ratios, title, write_json)
from evit_dense.utils import run_tool


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = parser.add_subparsers(dest='kind', required=True)
    backbone = sub.add_parser('backbone', help='backbones alone')
    backbone.add_argument('--arch', nargs='+', default=['m4'],
                          help='archs to time (m0-m5, b0-b3, l0-l3); the '
                               'first gets the deploy, reference (official '
                               'for M, mit for B/L) and with_cp rows too')
    backbone.add_argument('--plot', help='write eval latency vs. params '
                                         'of every row to this PNG')
    backbone.add_argument('--references', nargs='*',
                          default=['resnet18', 'resnet50'])
    model = sub.add_parser('model', help='whole detectors/segmentors')
    model.add_argument('config')
    model.add_argument('--references', nargs='*', default=[],
                       help='configs to compare with (mmdet::... allowed)')
    deploy = sub.add_parser('deploy', help='ONNX Runtime (mmdeploy) vs '
                                           'PyTorch eager, whole models')
    deploy.add_argument('configs', nargs='+',
                        help='detector/segmentor configs (mmdet::... '
                             'allowed)')
    for p in (backbone, model, deploy):
        p.add_argument('--shape', type=int, nargs=2, default=[800, 1216],
                       metavar=('H', 'W'))
        p.add_argument('--batch', type=int, default=1)
        p.add_argument('--device', default='cuda' if torch.cuda.is_available()
                       else 'cpu')
        p.add_argument('--warmup', type=int, default=3)
        p.add_argument('--repeat', type=int, default=10)
        p.add_argument('--json', help='also write the results to this file')
    for p in (backbone, model):
        p.add_argument('--train', action='store_true',
                       help='also time a training step and its peak memory')
    return parser.parse_args()


def main():
    args = parse_args()
    timing = dict(shape=args.shape, batch=args.batch, device=args.device,
                  warmup=args.warmup, repeat=args.repeat)
    if args.kind == 'deploy':
        rows = benchmark_deploy(args.configs, **timing)
        report_title = deploy_title(onnxruntime_version(), args.device,
                                    args.batch, args.shape)
        print(format_deploy_table(rows, report_title))
        if args.json:
            write_json(args.json, title=report_title, rows=rows)
        return
    if args.kind == 'backbone':
        specs, original, note = backbone_specs(args.arch, args.references,
                                               args.shape, args.train)
        if note:
            print(note)
    else:
        original = None
        specs = model_specs(args.config, args.references, args.train)
    rows = benchmark(args.kind, specs, train=args.train, **timing)
    report_title = title(args.kind, args.device, args.batch, args.shape)
    print(format_table(rows, report_title))
    ratios = key_ratios(rows, specs[0], args.references,
                        ':' if args.kind == 'backbone' else '#', original)
    if ratios:
        print(format_ratios(ratios))
    if args.json:
        write_json(args.json, title=report_title, rows=rows, ratios=ratios)
    if getattr(args, 'plot', None):
        plot(rows, report_title, args.plot)


if __name__ == '__main__':
    run_tool(main)
