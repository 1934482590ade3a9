"""Parameters and FLOPs of an EfficientViT backbone or a whole model.

    python tools/analysis/complexity.py --arch m4 --shape 224 224
    python tools/analysis/complexity.py configs/retinanet_evit_m4_coco.py --shape 800 1333

FLOPs count one multiply-add as one FLOP (the convention of the paper and of
fvcore/MMEngine's analyzer) and are those of the backbone's deploy form, with
BatchNorm folded into the convs as inference runs it; that is also how the
paper counts (M4: 299M). Parameters are those of the model as built, which
checkpoints hold. ``--with-head`` adds the ImageNet classifier (BatchNorm +
Linear to 1000 classes) so the numbers compare with the paper's.
"""
import argparse

import torch
import torch.nn as nn
from mmengine.analysis import FlopAnalyzer, parameter_count
from mmengine.analysis.jit_handles import matmul_flop_jit
from mmengine.config import DictAction
from mmengine.registry import MODELS

from evit_dense.engine import load_measured_model_config
from evit_dense.models import EfficientViT

NUM_IMAGENET_CLASSES = 1000


class TensorForward(nn.Module):
    """Exposes a detector's or segmentor's network (no pre/post-processing)
    as a module of one tensor, for tracing."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model._forward(x)


def count_flops(module, inputs):
    analyzer = FlopAnalyzer(module, inputs)
    # bias + scale * q^T k: count its matrix product like a bmm
    analyzer.set_op_handle('aten::baddbmm',
                           lambda ins, outs: matmul_flop_jit(ins[1:3], outs))
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    return analyzer


def classifier_params(channels):
    return 2 * channels + channels * NUM_IMAGENET_CLASSES + NUM_IMAGENET_CLASSES


def backbone_rows(arch, shape, with_head):
    model = EfficientViT(arch=arch).eval()
    params = parameter_count(model)
    model.switch_to_deploy()
    analyzer = count_flops(model, (torch.rand(1, 3, *shape),))
    by_module = analyzer.by_module()
    rows = [(name, params[name], by_module[name])
            for name in ['patch_embed'] + [f'stages.{i}' for i in range(3)]]
    total_params, total_flops = params[''], analyzer.total()
    if with_head:
        channels = model.arch_settings['embed_dims'][-1]
        rows.append(('head (ImageNet)', classifier_params(channels),
                     channels * NUM_IMAGENET_CLASSES))
        total_params += rows[-1][1]
        total_flops += rows[-1][2]
    rows.append(('total', total_params, total_flops))
    return rows


def model_rows(config, shape, cfg_options):
    cfg = load_measured_model_config(config, cfg_options)
    model = MODELS.build(cfg.model).eval()
    params = parameter_count(model)
    if hasattr(model.backbone, 'switch_to_deploy'):
        model.backbone.switch_to_deploy()
    analyzer = count_flops(TensorForward(model), (torch.rand(1, 3, *shape),))
    by_module = analyzer.by_module()
    rows = [(name, params[name], by_module.get(f'model.{name}', 0))
            for name, _ in model.named_children() if params.get(name)]
    rows.append(('total', params[''], analyzer.total()))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', nargs='?', help='a detector/segmentor config')
    parser.add_argument('--arch', default='m4', help='backbone arch when no config')
    parser.add_argument('--shape', type=int, nargs=2, default=[224, 224],
                        metavar=('H', 'W'))
    parser.add_argument('--with-head', action='store_true',
                        help='add the ImageNet classifier (backbone only)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='key=value overrides of the config')
    args = parser.parse_args()
    if args.config:
        rows = model_rows(args.config, args.shape, args.cfg_options)
        title = f'{args.config} at {args.shape[0]}x{args.shape[1]}'
    else:
        rows = backbone_rows(args.arch, args.shape, args.with_head)
        title = f'EfficientViT-{args.arch.upper()} at {args.shape[0]}x{args.shape[1]}'
    print(title)
    print(f'{"module":<20}{"params (M)":>12}{"FLOPs (G)":>12}')
    for name, params, flops in rows:
        print(f'{name:<20}{params / 1e6:>12.3f}{flops / 1e9:>12.3f}')


if __name__ == '__main__':
    main()
