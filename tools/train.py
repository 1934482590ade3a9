"""Train a detector (mmdet) or segmentor (mmseg) from a config.

The config's ``default_scope`` says which toolbox it belongs to; flags are
those of mmdet's and mmseg's ``tools/train.py``.

Example:
    python tools/train.py configs/toy/retinanet_evit_m0_toy_coco.py
    bash tools/dist_train.sh configs/retinanet_evit_m4_coco.py 8
"""
import argparse
import os
import warnings

# Third-party imports still use setuptools' deprecated pkg_resources; only
# that notice is silenced.
warnings.filterwarnings('ignore', 'pkg_resources is deprecated', UserWarning)

from mmengine.config import DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

import evit_dense  # noqa: F401  MMEngine fixes, models
from evit_dense.errors import ConfigError
from evit_dense.utils import (check_checkpoint_path, check_dataset_paths,
                              load_tool_config, run_tool)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models '
                        '(default: work_dirs/CONFIG_NAME)')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto', metavar='CHECKPOINT',
        help='resume from CHECKPOINT, or without it from the latest '
        'checkpoint in the work dir')
    parser.add_argument('--amp', action='store_true',
                        help='enable automatic mixed precision training')
    parser.add_argument(
        '--auto-scale-lr', action='store_true',
        help='scale the lr by the actual over the config\'s '
        'auto_scale_lr.base_batch_size')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, key=value pairs such as '
        'train_cfg.max_epochs=1 or model.backbone.arch=m0')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'],
                        help='job launcher')
    # torch.distributed.launch passes --local-rank; torchrun sets LOCAL_RANK.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main():
    args = parse_args()
    cfg = load_tool_config(args.config, args.cfg_options, args.launcher,
                           args.work_dir)

    if args.amp:
        optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        if optim_wrapper == 'OptimWrapper':
            cfg.optim_wrapper.type = 'AmpOptimWrapper'
            cfg.optim_wrapper.loss_scale = 'dynamic'
        elif optim_wrapper != 'AmpOptimWrapper':
            raise ConfigError(f'--amp needs optim_wrapper.type OptimWrapper, '
                             f'got {optim_wrapper}')
    if args.auto_scale_lr:
        if 'base_batch_size' not in cfg.get('auto_scale_lr', {}):
            raise ConfigError('--auto-scale-lr needs auto_scale_lr = dict('
                             'base_batch_size=...) in the config')
        cfg.auto_scale_lr.enable = True

    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        check_checkpoint_path(args.resume, '--resume')
        cfg.resume = True
        cfg.load_from = args.resume
    elif cfg.get('load_from'):
        check_checkpoint_path(cfg.load_from, 'load_from')
    check_dataset_paths(cfg, ['train_dataloader'] +
                        (['val_dataloader'] if cfg.get('val_cfg') else []))

    runner = (Runner.from_cfg(cfg) if 'runner_type' not in cfg
              else RUNNERS.build(cfg))
    runner.train()


if __name__ == '__main__':
    run_tool(main)
