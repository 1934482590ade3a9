"""Test a detector (mmdet) or segmentor (mmseg) checkpoint on a config's
test set and print its metrics (COCO mAP; mIoU, mAcc, aAcc, per-class IoU).

The config's ``default_scope`` says which toolbox it belongs to; flags are
those of mmdet's and mmseg's ``tools/test.py``.

Example:
    python tools/test.py configs/toy/retinanet_evit_m0_toy_coco.py \
        work_dirs/retinanet_evit_m0_toy_coco/epoch_24.pth --show-dir vis
"""
import argparse
import os
import warnings

# Third-party imports still use setuptools' deprecated pkg_resources; only
# that notice is silenced.
warnings.filterwarnings('ignore', 'pkg_resources is deprecated', UserWarning)

from mmengine.config import ConfigDict, DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

import evit_dense  # noqa: F401  MMEngine fixes, models
from evit_dense.errors import ConfigError
from evit_dense.utils import (check_checkpoint_path, check_dataset_paths,
                              load_tool_config, run_tool)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save logs and metrics '
                        '(default: work_dirs/CONFIG_NAME)')
    parser.add_argument(
        '--out', help='mmdet: pickle file (.pkl) to dump the predictions to; '
        'mmseg: directory to write the predicted label maps to')
    parser.add_argument('--show', action='store_true',
                        help='show the predictions in a window')
    parser.add_argument(
        '--show-dir', help='directory to save every test image with its '
        'predictions drawn (mmdet: inside the run\'s timestamped folder of '
        'the work dir; mmseg: under vis_data/vis_image)')
    parser.add_argument('--wait-time', type=float, default=2,
                        help='seconds each shown image stays (--show)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, key=value pairs such as '
        'test_dataloader.batch_size=4')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'],
                        help='job launcher')
    parser.add_argument('--tta', action='store_true',
                        help='test-time augmentation (needs tta_model and '
                        'tta_pipeline in the config)')
    # torch.distributed.launch passes --local-rank; torchrun sets LOCAL_RANK.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def enable_visualization(cfg, args):
    """Turn on the toolbox's visualization hook as its own test tool does."""
    hook = cfg.default_hooks.get('visualization')
    if hook is None:
        raise ConfigError("--show/--show-dir need default_hooks.visualization"
                         " (mmdet's DetVisualizationHook, mmseg's "
                         "SegVisualizationHook)")
    hook['draw'] = True
    if args.show:
        hook['show'] = True
        hook['wait_time'] = args.wait_time
    if cfg.default_scope == 'mmseg':
        # mmseg's hook draws every 50th image only; mmdet's draws all.
        hook['interval'] = 1
    if args.show_dir:
        if cfg.default_scope == 'mmdet':
            hook['test_out_dir'] = args.show_dir
        else:
            cfg.visualizer['save_dir'] = args.show_dir


def enable_tta(cfg):
    """Wrap the model in the config's TTA model and test on its TTA
    pipeline."""
    missing = [key for key in ('tta_model', 'tta_pipeline') if key not in cfg]
    if missing:
        raise ConfigError(f'--tta needs {" and ".join(missing)} in the config')
    cfg.model = ConfigDict(**cfg.tta_model, module=cfg.model)
    dataset = cfg.test_dataloader.dataset
    while 'dataset' in dataset:
        dataset = dataset['dataset']
    dataset.pipeline = cfg.tta_pipeline


def save_predictions(cfg, out):
    """``--out``: mmdet dumps the predictions to a pickle file, mmseg writes
    the label maps to a directory."""
    if cfg.default_scope == 'mmdet':
        if not out.endswith(('.pkl', '.pickle')):
            raise ConfigError(f'--out must be a .pkl or .pickle file for '
                             f'mmdet configs, got {out}')
        metrics = cfg.test_evaluator
        if not isinstance(metrics, list):
            metrics = [metrics]
        cfg.test_evaluator = [*metrics,
                              dict(type='DumpDetResults', out_file_path=out)]
    else:
        cfg.test_evaluator['output_dir'] = out
        cfg.test_evaluator['keep_results'] = True


def main():
    args = parse_args()
    cfg = load_tool_config(args.config, args.cfg_options, args.launcher,
                           args.work_dir)
    check_checkpoint_path(args.checkpoint)
    check_dataset_paths(cfg, ['test_dataloader'])
    cfg.load_from = args.checkpoint

    if args.show or args.show_dir:
        enable_visualization(cfg, args)
    if args.tta:
        enable_tta(cfg)
    if args.out is not None:
        save_predictions(cfg, args.out)

    runner = (Runner.from_cfg(cfg) if 'runner_type' not in cfg
              else RUNNERS.build(cfg))
    runner.test()


if __name__ == '__main__':
    run_tool(main)
