"""Latency, throughput and peak memory of EfficientViT against reference backbones.

Backbones alone (ours in training form and deploy form, the family's
reference implementation, ResNet-18/50 from mmdet):

    python tools/benchmark.py backbone --arch m4 --shape 800 1216 --train
    python tools/benchmark.py backbone --arch b1 --shape 512 512 --train

The reference row of an arch is its authors' own code, kept in
``tools/reference``: ``m4:official`` (Microsoft's EfficientViT, M0-M5) or
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

    python tools/benchmark.py deploy configs/retinanet_evit_m4_coco.py \
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
"""
import argparse
import inspect
import json
import logging
import multiprocessing
import os
import queue as queue_module
import resource
import statistics
import time
import warnings

# Third-party imports still use setuptools' deprecated pkg_resources; only
# that notice is silenced.
warnings.filterwarnings('ignore', 'pkg_resources is deprecated', UserWarning)

import torch

BYTES_PER_MB = 2 ** 20
# A fixed mmap threshold stops glibc from keeping freed tensors in its heap.
MEMORY_ENVIRON = {'MALLOC_MMAP_THRESHOLD_': str(128 * 1024)}


def current_rss_mb():
    with open('/proc/self/statm') as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / BYTES_PER_MB


def peak_rss_mb():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 1024
    raise RuntimeError('benchmark: /proc/self/status has no VmHWM')


def reset_peak_rss():
    with open('/proc/self/clear_refs', 'w') as f:
        f.write('5')  # 5: reset the peak resident set size


# --- what is measured ------------------------------------------------------

def is_mit_arch(arch):
    from evit_dense.models import EfficientViTMIT
    return arch.lower() in EfficientViTMIT.arch_zoo


def reference_option(arch):
    """The option naming the row of ``arch``'s reference implementation."""
    return 'mit' if is_mit_arch(arch) else 'official'


class MITStages(torch.nn.Module):
    """MIT's backbone with the outputs of ours: the maps of stages 1-4
    (strides 4-32) as a tuple, rather than a dict of every stage."""

    def __init__(self, model, out_indices):
        super().__init__()
        self.model = model
        self.out_indices = out_indices

    def forward(self, x):
        outs = self.model(x)
        return tuple(outs[f'stage{i}'] for i in self.out_indices)


def mit_reference(ours):
    """MIT's own backbone of ``ours``'s arch, holding ``ours``'s weights."""
    import sys
    from evit_dense.models.efficientvit_mit.checkpoint import \
        convert_backbone_state_dict
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          'reference', 'mit_efficientvit')
    if folder not in sys.path:
        sys.path.insert(0, folder)
    import mit_reference as mit
    arch = next(name for name, settings in type(ours).arch_zoo.items()
                if settings == ours.arch_settings)
    reference = mit.build(arch, zoo_eps=True)
    mit_state = reference.state_dict()
    converted, _ = convert_backbone_state_dict(mit_state)
    our_names = dict(zip(converted, mit_state))  # ours -> MIT's, one to one
    reference.load_state_dict({our_names[k]: v for k, v in
                               ours.state_dict().items()})
    return MITStages(reference, ours.out_indices)


def build_backbone(spec):
    import evit_dense  # noqa: F401
    from mmdet.models.backbones import ResNet

    from evit_dense.models import EfficientViT, EfficientViTMIT
    kind, _, option = spec.partition(':')
    if kind.startswith('resnet'):
        return ResNet(depth=int(kind[len('resnet'):]))
    if option == 'official':
        from reference.official_efficientvit import official_efficientvit
        return official_efficientvit(kind)
    # Same seed for every row of an arch: the same weights.
    torch.manual_seed(0)
    backbone = EfficientViTMIT if is_mit_arch(kind) else EfficientViT
    model = backbone(arch=kind, with_cp=option == 'with_cp')
    if option == 'mit':
        return mit_reference(model)
    if option == 'deploy':
        model.eval().switch_to_deploy()
    return model


def backbone_case(spec, shape, batch, device):
    model = build_backbone(spec).to(device)
    # The same input for every row, whatever building its model drew.
    inputs = torch.rand(batch, 3, *shape,
                        generator=torch.Generator().manual_seed(0)).to(device)

    def infer():
        return model(inputs)

    def train_step():
        sum(out.mean() for out in model(inputs)).backward()

    return model, infer, train_step


def build_detector_or_segmentor(config, with_cp):
    from mmengine.logging import MMLogger
    from mmengine.registry import MODELS

    from evit_dense.engine import load_measured_model_config
    cfg = load_measured_model_config(config)
    if with_cp:
        cfg.model.backbone.with_cp = True
        neck = cfg.model.get('neck')
        if neck and 'with_cp' in inspect.signature(
                MODELS.get(neck.type)).parameters:
            neck.with_cp = True
    model = MODELS.build(cfg.model)
    # The heads' own initialisation (e.g. RetinaNet's prior-probability
    # bias) keeps post-processing to the few boxes a real model keeps.
    MMLogger.get_instance('mmengine').setLevel(logging.WARNING)  # init log
    model.init_weights()
    return model, cfg


def num_classes(model):
    """Classes of the model's (first) head."""
    return next(m.num_classes for m in model.modules()
                if isinstance(getattr(m, 'num_classes', None), int))


def fake_batch(scope, shape, batch, with_masks, classes):
    """One preprocessed-ready batch with plausible ground truth."""
    from mmengine.structures import InstanceData, PixelData
    height, width = shape
    inputs, samples = [], []
    for _ in range(batch):
        inputs.append(torch.randint(0, 256, (3, height, width), dtype=torch.uint8))
        meta = dict(img_shape=shape, ori_shape=shape, pad_shape=shape,
                    scale_factor=(1., 1.))
        if scope == 'mmseg':
            from mmseg.structures import SegDataSample
            sample = SegDataSample(metainfo=meta)
            sample.gt_sem_seg = PixelData(
                data=torch.randint(0, classes, (1, height, width)))
        else:
            from mmdet.structures import DetDataSample
            from mmdet.structures.mask import BitmapMasks
            sample = DetDataSample(metainfo=meta)
            xy = torch.rand(10, 2) * torch.tensor([width * 0.6, height * 0.6])
            wh = torch.rand(10, 2) * torch.tensor([width * 0.3, height * 0.3]) + 16
            boxes = torch.cat([xy, xy + wh], dim=1)
            gt = InstanceData(bboxes=boxes,
                              labels=torch.randint(0, classes, (10,)))
            if with_masks:
                masks = torch.zeros(10, height, width, dtype=torch.uint8)
                for i, (x1, y1, x2, y2) in enumerate(boxes.int().tolist()):
                    masks[i, y1:y2, x1:x2] = 1
                gt.masks = BitmapMasks(masks.numpy(), height, width)
            sample.gt_instances = gt
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


DEPLOY_CONFIGS = os.path.join(os.path.dirname(__file__), '..', 'configs',
                              'deploy')


def onnxruntime_model(model, cfg, shape, device):
    """``model``, built from ``cfg``, exported by mmdeploy (our deploy
    config for its task) and loaded in mmdeploy's ONNX Runtime wrapper."""
    import tempfile

    import cv2
    import numpy as np
    from mmdeploy.apis import build_task_processor, torch2onnx
    from mmdeploy.utils import load_config

    task = ('segmentation' if hasattr(model, 'decode_head') else
            'instance-seg' if getattr(model, 'with_mask', False) else
            'detection')
    deploy_cfg, model_cfg = load_config(
        os.path.join(DEPLOY_CONFIGS, f'{task}_onnxruntime_dynamic.py'), cfg)
    with tempfile.TemporaryDirectory() as work_dir:
        checkpoint = os.path.join(work_dir, 'model.pth')
        torch.save(dict(state_dict=model.state_dict()), checkpoint)
        image = os.path.join(work_dir, 'image.png')
        cv2.imwrite(image, np.random.default_rng(0).integers(
            0, 256, (*shape, 3), dtype=np.uint8))
        torch2onnx(image, work_dir, 'end2end.onnx', deploy_cfg, model_cfg,
                   checkpoint, device=device)
        return build_task_processor(model_cfg, deploy_cfg, device) \
            .build_backend_model([os.path.join(work_dir, 'end2end.onnx')])


def model_case(spec, shape, batch, device, preprocess_outside=False):
    """A detector or segmentor from ``CONFIG[#option]``: ``deploy`` (its
    deploy form), ``with_cp``, or ``onnxruntime`` (exported by mmdeploy).
    With ``preprocess_outside``, inference times the model on a batch
    already normalised and padded."""
    config, _, option = spec.partition('#')
    model, cfg = build_detector_or_segmentor(config, option == 'with_cp')
    model.to(device)
    data = fake_batch(cfg.default_scope, tuple(shape), batch,
                      getattr(model, 'with_mask', False), num_classes(model))
    if option == 'onnxruntime':
        model = onnxruntime_model(model.eval(), cfg, tuple(shape), device)
    if option == 'deploy':
        model.eval()
        for name in ('backbone', 'decode_head'):
            if hasattr(getattr(model, name, None), 'switch_to_deploy'):
                getattr(model, name).switch_to_deploy()

    if preprocess_outside:
        processed = model.data_preprocessor(data, False)

        def infer():
            return model(**processed, mode='predict')
    else:
        def infer():
            return model.test_step(data)

    def train_step():
        batch_data = model.data_preprocessor(data, training=True)
        losses = model(**batch_data, mode='loss')
        loss, _ = model.parse_losses(losses)
        loss.backward()

    return model, infer, train_step


def reference_runs_at(arch, shape):
    """Whether the reference implementation of ``arch`` runs at ``shape``."""
    return is_mit_arch(arch) or official_runs_at(shape)


def official_runs_at(shape, window=7, stem_and_downsamples=6):
    """Whether the official backbone runs at ``shape``: its attention fails
    on a map no larger than a window unless the map is a whole window."""
    for _ in range(stem_and_downsamples):  # stride-2 3x3 convs, padding 1
        shape = [(side + 1) // 2 for side in shape]
    return max(shape) > window or shape == [window, window]


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


def build_cases(kind, specs, shape, batch, device, mode):
    torch.manual_seed(0)
    cases = {}
    for spec in specs:
        if kind == 'backbone':
            model, infer, train_step = backbone_case(spec, shape, batch,
                                                     device)
        else:
            model, infer, train_step = model_case(
                spec, shape, batch, device,
                preprocess_outside=kind == 'deploy')
        model.train(mode == 'train')
        cases[spec] = (model, train_step if mode == 'train' else infer)
    return cases


def shares_weights(spec, first):
    """Whether the backbone row ``spec`` holds the weights of ``first``."""
    arch, _, option = spec.partition(':')
    return arch == first and option in ('', 'deploy', 'with_cp', 'mit')


@torch.no_grad()
def output_differences(cases, first):
    """Of every row sharing the first row's weights (all in eval mode): the
    largest difference of its outputs from the first row's, relative to the
    largest magnitude of those."""
    steps = {spec: step for spec, (_, step) in cases.items()
             if shares_weights(spec, first)}
    expected = steps.pop(first)()
    differences = {}
    for spec, step in steps.items():
        differences[spec] = max(
            ((out - ref).abs().max() / ref.abs().max()).item()
            for out, ref in zip(step(), expected, strict=True))
    return differences


def measure_latency(kind, specs, shape, batch, device, mode, warmup, repeat,
                    queue):
    """Median latency of every spec, timed round-robin in one process so
    that drifts of the machine's speed hit all of them alike. In each round
    a model runs once untimed first: the timed run then finds its weights
    and buffers warm, whichever model ran before it. For backbones in eval
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


def measure_memory(kind, spec, shape, batch, device, mode, queue):
    """Peak memory of one step of one spec after a warm-up step, alone in
    its process."""
    (model, step), = build_cases(kind, [spec], shape, batch, device,
                                 mode).values()
    cuda = device.startswith('cuda')
    with torch.set_grad_enabled(mode == 'train'):
        run_steps(step, model, 1, cuda)
        if cuda:
            torch.cuda.reset_peak_memory_stats()
            baseline = torch.cuda.memory_allocated() / BYTES_PER_MB
        else:
            reset_peak_rss()
            baseline = current_rss_mb()
        run_steps(step, model, 1, cuda)
    peak = (torch.cuda.max_memory_allocated() / BYTES_PER_MB if cuda
            else peak_rss_mb())
    params = sum(p.numel() for p in model.parameters()) + sum(
        b.numel() for n, b in model.named_buffers() if 'cached_bias' in n)
    queue.put(dict(peak_mb=peak - baseline, params_m=params / 1e6))


def run_isolated(target, *args, environ=None):
    """Run ``target(*args, queue)`` in a fresh process started with the
    extra environment variables ``environ``; return what it puts."""
    context = multiprocessing.get_context('spawn')
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    saved = dict(os.environ)
    os.environ.update(environ or {})
    try:
        process.start()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    while True:
        try:
            result = queue.get(timeout=1)
            break
        except queue_module.Empty:
            if not process.is_alive():
                raise SystemExit(f'benchmark: {target.__name__} failed '
                                 f'(exit code {process.exitcode}); its error '
                                 'is printed above.')
    process.join()
    return result


# --- reporting ---------------------------------------------------------------

def benchmark(kind, specs, args):
    rows = {spec: dict(name=spec) for spec in specs}
    for mode in ['eval'] + (['train'] if args.train else []):
        # the deploy form is for inference only
        mode_specs = [s for s in specs
                      if mode == 'eval' or not s.endswith('deploy')]
        measured = run_isolated(measure_latency, kind, mode_specs,
                                args.shape, args.batch, args.device, mode,
                                args.warmup, args.repeat)
        latency = measured['latency']
        for spec, difference in measured['differences'].items():
            rows[spec]['eval_output_difference'] = difference
        for spec in mode_specs:
            memory = run_isolated(measure_memory, kind, spec, args.shape,
                                  args.batch, args.device, mode,
                                  environ=MEMORY_ENVIRON)
            rows[spec]['params_m'] = memory['params_m']
            rows[spec].update({
                f'{mode}_latency_ms': latency[spec] * 1000,
                f'{mode}_throughput': args.batch / latency[spec],
                f'{mode}_peak_mb': memory['peak_mb']})
    return list(rows.values())


def benchmark_deploy(configs, args):
    """Latency of each config in PyTorch eager and in ONNX Runtime, all
    timed round-robin in one process."""
    specs = [s for config in configs for s in (config, f'{config}#onnxruntime')]
    latency = run_isolated(measure_latency, 'deploy', specs, args.shape,
                           args.batch, args.device, 'eval', args.warmup,
                           args.repeat)['latency']
    return [dict(name=config, pytorch_ms=latency[config] * 1000,
                 onnxruntime_ms=latency[f'{config}#onnxruntime'] * 1000)
            for config in configs]


def print_deploy_table(rows, title):
    print(title)
    print(f'{"model":<66}{"PyTorch ms":>11}{"ORT ms":>9}{"speed-up":>9}')
    for row in rows:
        print(f'{row["name"]:<66}{row["pytorch_ms"]:>11.1f}'
              f'{row["onnxruntime_ms"]:>9.1f}'
              f'{row["pytorch_ms"] / row["onnxruntime_ms"]:>9.2f}')
    print('speed-up: PyTorch eager latency / ONNX Runtime latency (end to '
          'end per image, pre-processing excluded).')


def print_table(rows, title):
    columns = [('eval_latency_ms', 'eval ms'), ('eval_throughput', 'img/s'),
               ('eval_peak_mb', 'eval MB'), ('train_latency_ms', 'train ms'),
               ('train_peak_mb', 'train MB')]
    columns = [c for c in columns if any(c[0] in r for r in rows)]
    ours = rows[0]
    print(title)
    header = f'{"model":<58}{"params M":>9}' + ''.join(
        f'{label:>10}{"ratio":>7}' for _, label in columns)
    print(header)
    for row in rows:
        line = f'{row["name"]:<58}{row["params_m"]:>9.2f}'
        for key, _ in columns:
            if key not in row:
                line += f'{"-":>10}{"":>7}'
                continue
            # ratio > 1 means ours is better (faster, higher throughput, less memory)
            better_high = key.endswith('throughput')
            ratio = (ours[key] / row[key] if better_high else row[key] / ours[key]) \
                if key in ours and row[key] else float('nan')
            line += f'{row[key]:>10.1f}{ratio:>7.2f}'
        print(line)
    print('ratio: how many times better the first row is than each row '
          '(latency, memory: other / ours; img/s: ours / other).')
    for row in rows[1:]:
        if 'eval_output_difference' in row:
            print(f'eval outputs of {row["name"]} vs {ours["name"]}: largest '
                  f'difference {row["eval_output_difference"]:.1e} of the '
                  'largest magnitude')


def key_ratios(rows, first, references, separator, original='official'):
    """The ratios the project's targets are stated in, where measured:
    speed-ups (other's latency / this one's) and a memory fraction.
    ``original`` is the option of the row of the authors' code (None:
    no such row)."""
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


def plot(rows, title, path):
    """Eval latency against parameters: our archs as a line, the deploy and
    official rows as markers, the references as grey squares."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ours = sorted((r for r in rows if ':' not in r['name']
                   and not r['name'].startswith('resnet')),
                  key=lambda r: r['params_m'])
    ax.plot([r['params_m'] for r in ours],
            [r['eval_latency_ms'] for r in ours], 'o-', color='tab:blue',
            label='EfficientViT (evit_dense, training form)')
    styles = {'deploy': ('D', 'tab:green', 'deploy form'),
              'official': ('^', 'tab:red', 'official code'),
              'mit': ('^', 'tab:red', "MIT's code")}
    for row in rows:
        name = row['name']
        point = (row['params_m'], row['eval_latency_ms'])
        option = name.partition(':')[2]
        if option in styles:
            marker, color, label = styles[option]
            ax.scatter(*point, marker=marker, color=color, zorder=3,
                       label=f'{name.partition(":")[0]} {label}')
            continue
        if option:  # with_cp: the eval speed of the training form
            continue
        if name.startswith('resnet'):
            ax.scatter(*point, marker='s', color='tab:gray', zorder=3)
        ax.annotate(name, point, textcoords='offset points', xytext=(-4, 8),
                    fontsize=8)
    ax.set_yscale('log')
    ax.set_xlabel('parameters (M)')
    ax.set_ylabel('eval latency (ms, log scale)')
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3, which='both')
    ax.legend(fontsize=8, loc='upper left')
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def onnxruntime_version():
    import onnxruntime
    return onnxruntime.__version__


def main():
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
    args = parser.parse_args()

    if args.kind == 'deploy':
        rows = benchmark_deploy(args.configs, args)
        title = (f'ONNX Runtime {onnxruntime_version()} (mmdeploy) vs PyTorch '
                 f'eager on {args.device}, input {args.batch}x3x'
                 f'{args.shape[0]}x{args.shape[1]}, torch threads '
                 f'{torch.get_num_threads()}')
        print_deploy_table(rows, title)
        if args.json:
            with open(args.json, 'w') as f:
                json.dump(dict(title=title, rows=rows), f, indent=2)
        return
    if args.kind == 'backbone':
        first, *others = args.arch
        original = reference_option(first)
        specs = [first, f'{first}:deploy']
        if reference_runs_at(first, args.shape):
            specs.append(f'{first}:{original}')
        else:
            print('No official row: the official code fails when a stage '
                  'map is smaller than its window (take an input larger '
                  'than 448 on one side).')
        if args.train:
            specs.append(f'{first}:with_cp')
        specs += others + args.references
    else:
        original = None
        specs = [args.config, f'{args.config}#deploy']
        if args.train:
            specs.append(f'{args.config}#with_cp')
        specs += args.references
    rows = benchmark(args.kind, specs, args)
    title = (f'{args.kind} benchmark on {args.device}, input '
             f'{args.batch}x3x{args.shape[0]}x{args.shape[1]}, '
             f'torch threads {torch.get_num_threads()}')
    print_table(rows, title)
    ratios = key_ratios(rows, specs[0], args.references,
                        ':' if args.kind == 'backbone' else '#', original)
    for label, value in ratios.items():
        print(f'{label}: {value:.2f}')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(dict(title=title, rows=rows, ratios=ratios), f,
                      indent=2)
    if getattr(args, 'plot', None):
        plot(rows, title, args.plot)


if __name__ == '__main__':
    main()
