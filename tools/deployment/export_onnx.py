"""Export an EfficientViT backbone of either family (deploy form) or a whole
detector/segmentor network to ONNX and check it in onnxruntime against
PyTorch on the same input.

    python tools/deployment/export_onnx.py --arch m4 --shape 512 640 --out m4.onnx
    python tools/deployment/export_onnx.py --arch b1 --shape 512 640 --out b1.onnx
    python tools/deployment/export_onnx.py configs/retinanet_evit_m4_coco.py \\
        [CHECKPOINT] --shape 800 1344 --out retinanet_m4.onnx

The exported graph is the network only (backbone, neck, heads: raw scores and
box deltas for detectors, logits for segmentors); pre-processing, box decoding
and NMS stay in the framework. The backbone is switched to its deploy form
(BatchNorm folded, attention biases cached) before export. Exits non-zero if
onnxruntime and PyTorch differ by more than ``--tolerance`` (relative).
"""
import argparse
import sys
import warnings

# Third-party imports still use setuptools' deprecated pkg_resources; only
# that notice is silenced.
warnings.filterwarnings('ignore', 'pkg_resources is deprecated', UserWarning)

import numpy as np
import torch
import torch.nn as nn
from mmengine.config import Config, DictAction
from mmengine.registry import MODELS, init_default_scope
from mmengine.runner import load_checkpoint

from evit_dense.models.families import family_of_arch
from evit_dense.utils.cli import run_tool


class NetworkForward(nn.Module):
    """A detector's or segmentor's network as a module of one tensor."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model._forward(x)


def flatten_outputs(outputs):
    if isinstance(outputs, torch.Tensor):
        return [outputs]
    return [t for item in outputs for t in flatten_outputs(item)]


def build_network(args):
    if args.config is None:
        family = family_of_arch(args.arch)
        backbone = family.backbone(arch=args.arch)
        if args.checkpoint:
            backbone.init_cfg = dict(type='Pretrained', checkpoint=args.checkpoint)
            backbone.init_weights()
        return family.deploy(backbone.eval())
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    cfg.model.backbone.init_cfg = None  # weights come from CHECKPOINT
    model = MODELS.build(cfg.model)
    if args.checkpoint:
        load_checkpoint(model, args.checkpoint, map_location='cpu')
    model.eval()
    model.backbone.switch_to_deploy()
    return NetworkForward(model).eval()


def max_relative_error(actual, expected):
    return float(np.abs(actual - expected).max() / max(np.abs(expected).max(), 1e-12))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', nargs='?', help='detector/segmentor config')
    parser.add_argument('checkpoint', nargs='?', help='weights to export')
    parser.add_argument('--arch', default='m4', help='backbone arch without config')
    parser.add_argument('--shape', type=int, nargs=2, default=[512, 640],
                        metavar=('H', 'W'))
    parser.add_argument('--out', required=True, help='the .onnx file to write')
    parser.add_argument('--tolerance', type=float, default=1e-4)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args()

    import onnxruntime

    network = build_network(args)
    image = torch.rand(1, 3, *args.shape)
    with torch.no_grad():
        expected = [t.numpy() for t in flatten_outputs(network(image))]
    torch.onnx.export(network, (image,), args.out, input_names=['image'],
                      dynamo=True)
    session = onnxruntime.InferenceSession(
        args.out, providers=['CPUExecutionProvider'])
    actual = session.run(None, {'image': image.numpy()})
    errors = [max_relative_error(a, e) for a, e in zip(actual, expected)]
    print(f'wrote {args.out}: {len(actual)} outputs, max relative error vs '
          f'PyTorch {max(errors):.2e}')
    if len(actual) != len(expected) or max(errors) > args.tolerance:
        sys.exit(f'ONNX outputs differ from PyTorch beyond {args.tolerance}')


if __name__ == '__main__':
    run_tool(main)
