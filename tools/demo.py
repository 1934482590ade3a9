"""Draw a model's predictions on an image: boxes and masks for mmdet
configs, a coloured segmentation overlay for mmseg configs.

Example:
    python tools/demo.py data/toy_coco/val2017/000000000001.jpg \
        configs/toy/retinanet_evit_m0_toy_coco.py \
        work_dirs/retinanet_evit_m0_toy_coco/epoch_24.pth \
        --out-file work_dirs/retinanet_evit_m0_toy_coco/demo.jpg
"""
import argparse
import os.path as osp
import warnings

# Third-party imports still use setuptools' deprecated pkg_resources; only
# that notice is silenced.
warnings.filterwarnings('ignore', 'pkg_resources is deprecated', UserWarning)

import mmcv
import torch
from mmengine.config import Config

import evit_dense  # noqa: F401  MMEngine fixes, models
from evit_dense.utils import SCOPES, check_checkpoint_path


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('image', help='image file')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out-file',
                        help='where to write the drawing (default: '
                        'IMAGE_NAME_pred.png in the current directory)')
    parser.add_argument(
        '--device', default='cuda:0' if torch.cuda.is_available() else 'cpu',
        help='device to run the model on')
    parser.add_argument('--score-thr', type=float, default=0.3,
                        help='mmdet: draw boxes scoring at least this')
    parser.add_argument('--opacity', type=float, default=0.5,
                        help='mmseg: opacity of the overlay, in (0, 1]')
    return parser.parse_args()


def draw_detections(args, cfg, image):
    from mmdet.apis import inference_detector, init_detector
    from mmdet.registry import VISUALIZERS
    model = init_detector(cfg, args.checkpoint, device=args.device)
    result = inference_detector(model, image)
    # Drawn to out_file only: no backends that log to a save_dir.
    visualizer = VISUALIZERS.build({**model.cfg.visualizer,
                                    'vis_backends': None})
    visualizer.dataset_meta = model.dataset_meta
    visualizer.add_datasample(
        'prediction', mmcv.imconvert(image, 'bgr', 'rgb'), data_sample=result,
        draw_gt=False, pred_score_thr=args.score_thr, out_file=args.out_file)


def draw_segmentation(args, cfg, image):
    from mmseg.apis import inference_model, init_model, show_result_pyplot
    model = init_model(cfg, args.checkpoint, device=args.device)
    result = inference_model(model, image)
    show_result_pyplot(model, image, result, opacity=args.opacity,
                       draw_gt=False, show=False, out_file=args.out_file)


def main():
    args = parse_args()
    if not osp.isfile(args.image):
        raise FileNotFoundError(f'image file "{args.image}" does not exist')
    check_checkpoint_path(args.checkpoint)
    cfg = Config.fromfile(args.config)
    if cfg.get('default_scope') not in SCOPES:
        raise ValueError(f'{args.config}: default_scope must be one of '
                         f'{SCOPES}, got {cfg.get("default_scope")!r}')
    if args.out_file is None:
        args.out_file = osp.splitext(osp.basename(args.image))[0] + '_pred.png'
    image = mmcv.imread(args.image)  # BGR, as both toolboxes' inference
    draw = (draw_detections if cfg.default_scope == 'mmdet'
            else draw_segmentation)
    draw(args, cfg, image)
    print(f'wrote {args.out_file}')


if __name__ == '__main__':
    main()
