"""Parameters and FLOPs of an EfficientViT backbone or a whole model.

    python tools/analysis/complexity.py --arch m4 --shape 224 224
    python tools/analysis/complexity.py --arch b1 --shape 512 512
    python tools/analysis/complexity.py configs/retinanet_evit_m4_coco.py --shape 800 1333

Archs 'm0'..'m5' are the cascaded-group-attention EfficientViT
(``EfficientViT``), 'b0'..'b3' and 'l0'..'l3' MIT's (``EfficientViTMIT``):
the family table (``evit_dense.models.families``) picks the backbone.

FLOPs count one multiply-add as one FLOP (MACs: the convention of both
papers and of fvcore/MMEngine's analyzer), the attention's matrix products
included, and are those of the deploy form, with BatchNorm folded into the
convs as inference runs it (backbone, and a decode head that has a
``switch_to_deploy``); that is also how the papers count (M4: 299M;
EfficientViT-Seg-B1 on ADE20K: 3.1G at 512x512). Elementwise operations and
bicubic upsampling are not counted. Parameters are those of the model as
built, which checkpoints hold. ``--with-head`` adds the family's ImageNet classifier
(M: BatchNorm + Linear to 1000 classes; B/L: MIT's ``ClsHead``) so the
numbers compare with the papers' classification tables.
"""
import argparse
import warnings

# Third-party imports still use setuptools' deprecated pkg_resources; only
# that notice is silenced.
warnings.filterwarnings('ignore', 'pkg_resources is deprecated', UserWarning)

import torch
import torch.nn as nn
from mmengine.analysis import FlopAnalyzer, parameter_count
from mmengine.analysis.jit_handles import matmul_flop_jit
from mmengine.config import DictAction
from mmengine.registry import MODELS

from evit_dense.models.families import family_of_arch
from evit_dense.utils.cli import run_tool
from evit_dense.utils.config import load_measured_model_config


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


def backbone_rows(arch, shape, with_head):
    """Rows of the stem and each stage (and the family's ImageNet head),
    then the total."""
    family = family_of_arch(arch)
    model = family.backbone(arch=arch, out_indices=-1).eval()
    params = parameter_count(model)
    family.deploy(model)
    inputs = torch.rand(1, 3, *shape)
    analyzer = count_flops(model, (inputs,))
    by_module = analyzer.by_module()
    names = [model.stem_name] + [f'stages.{i}'
                                 for i in range(len(model.stages))]
    rows = [(name, params[name], by_module[name]) for name in names]
    total_params, total_flops = params[''], analyzer.total()
    if with_head:
        head = family.imagenet_head(arch.lower(), model.out_channels[-1])
        head_params = parameter_count(head.eval())['']
        for module in head.modules():
            if hasattr(module, 'fuse_norm'):  # the deploy form, as counted
                module.fuse_norm()
        with torch.no_grad():
            features, = model(inputs)
        head_flops = count_flops(head, (features,)).total()
        rows.append(('head (ImageNet)', head_params, head_flops))
        total_params += head_params
        total_flops += head_flops
    rows.append(('total', total_params, total_flops))
    return rows


def model_rows(config, shape, cfg_options):
    cfg = load_measured_model_config(config, cfg_options)
    model = MODELS.build(cfg.model).eval()
    params = parameter_count(model)
    for name in ('backbone', 'decode_head'):
        if hasattr(getattr(model, name, None), 'switch_to_deploy'):
            getattr(model, name).switch_to_deploy()
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
        title = (f'EfficientViT-{args.arch.upper()}'
                 f'{" with ImageNet head" if args.with_head else ""} at '
                 f'{args.shape[0]}x{args.shape[1]}')
    print(title)
    print(f'{"module":<20}{"params (M)":>12}{"FLOPs (G)":>12}')
    for name, params, flops in rows:
        print(f'{name:<20}{params / 1e6:>12.3f}{flops / 1e9:>12.3f}')


if __name__ == '__main__':
    run_tool(main)
