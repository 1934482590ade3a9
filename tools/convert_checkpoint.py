"""Convert an EfficientViT checkpoint to an MMEngine checkpoint with
evit_dense names.

Inputs, recognised from their keys, of either family:

* a backbone: an official microsoft/Cream ImageNet checkpoint or a timm
  ``efficientvit_m*`` state dict; MIT's ImageNet file
  (``efficientvit_b1_r224.pt``) or a timm ``efficientvit_b*``/``_l*`` state
  dict. The output is for the backbone's
  ``init_cfg=dict(type='Pretrained', checkpoint=OUT)``;
* a whole model: an official mmdet 2.x RetinaNet or Mask R-CNN checkpoint
  (``backbone.*``, ``neck.*``, heads), or MIT's EfficientViT-Seg file
  (``efficientvit_seg_b1_ade20k.pt``, its head renamed ``decode_head``). The
  output is for ``load_from`` or the CHECKPOINT of ``tools/test.py``.

Official checkpoints also load without conversion; converting once makes the
file this package's own format.

Example:
    python tools/convert_checkpoint.py \\
        retinanet_efficientvit_m4_fpn_1x_coco.pth \\
        checkpoints/retinanet_evit_m4_coco.pth
"""
import argparse
import io
import os.path as osp
import warnings

# Third-party imports still use setuptools' deprecated pkg_resources; only
# that notice is silenced.
warnings.filterwarnings('ignore', 'pkg_resources is deprecated', UserWarning)

import torch

from evit_dense.errors import UserError
from evit_dense.models.common.checkpoint import (CheckpointMismatchError,
                                                 load_checkpoint_file,
                                                 unwrap_state_dict)
from evit_dense.models.families import family_of_state_dict
from evit_dense.utils import write_atomically


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('src', help='checkpoint to convert (path or URL)')
    parser.add_argument('dst', help='where to write the converted checkpoint')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace DST if it exists')
    return parser.parse_args(argv)


def convert(checkpoint, source_name):
    """Return the converted MMEngine checkpoint ``{'meta', 'state_dict'}``."""
    state_dict = unwrap_state_dict(checkpoint)
    if not isinstance(state_dict, dict):
        raise CheckpointMismatchError(
            f'{source_name} holds no state dict (got {type(state_dict)}).')
    state_dict, fmt, kind = family_of_state_dict(state_dict).convert(
        state_dict)
    meta = dict(converted_from=osp.basename(source_name), source_format=fmt,
                kind=kind)
    old_meta = checkpoint.get('meta') if isinstance(checkpoint, dict) else None
    # mmdet 2.x kept the class names under CLASSES; mmdet 3.x reads them from
    # dataset_meta (DetInferencer, init_detector).
    if isinstance(old_meta, dict) and old_meta.get('CLASSES'):
        meta['dataset_meta'] = dict(classes=tuple(old_meta['CLASSES']))
    return dict(meta=meta, state_dict=state_dict)


def main(argv=None):
    args = parse_args(argv)
    if osp.exists(args.dst) and not args.overwrite:
        raise SystemExit(f'{args.dst} exists; pass --overwrite to replace it')
    try:
        converted = convert(load_checkpoint_file(args.src), args.src)
    except UserError as error:
        raise SystemExit(f'Cannot convert {args.src}: {error}')
    buffer = io.BytesIO()
    torch.save(converted, buffer)
    write_atomically(args.dst, buffer.getvalue())
    meta = converted['meta']
    print(f'Converted {meta["source_format"]} {meta["kind"]} checkpoint '
          f'{args.src} ({len(converted["state_dict"])} tensors) to {args.dst}')


if __name__ == '__main__':
    main()
