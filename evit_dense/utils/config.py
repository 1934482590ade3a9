"""The config a tool runs: the file, the command line applied, its scope
checked (the tools serve mmdet and mmseg configs alike)."""
import os.path as osp

from mmengine.config import Config
from mmengine.hub import get_config
from mmengine.registry import init_default_scope

from ..errors import ConfigError, MissingFileError

SCOPES = ('mmdet', 'mmseg')


def load_tool_config(path, cfg_options=None, launcher='none', work_dir=None):
    """Load ``path`` as ``tools/train.py`` and ``tools/test.py`` use it.

    Args:
        path (str): Config file.
        cfg_options (dict, optional): ``--cfg-options`` overrides.
        launcher (str): ``--launcher``. Defaults to 'none'.
        work_dir (str, optional): ``--work-dir``; else the config's
            ``work_dir``, else ``work_dirs/CONFIG_NAME``.

    Returns:
        mmengine.Config: The config; ``cfg.default_scope`` is in ``SCOPES``.
    """
    if not osp.isfile(path):
        raise MissingFileError(f'config file "{path}" does not exist')
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if cfg.get('default_scope') not in SCOPES:
        raise ConfigError(
            f'{path}: default_scope must be one of {SCOPES}, got '
            f'{cfg.get("default_scope")!r}; inherit mmdet:: or mmseg:: '
            f'_base_/default_runtime.py')
    cfg.launcher = launcher
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('work_dirs',
                                osp.splitext(osp.basename(path))[0])
    return cfg


def load_measured_model_config(path, cfg_options=None):
    """Load the config of a model to measure, as ``tools/benchmark.py`` and
    ``tools/analysis/complexity.py`` do: its scope made the default and its
    backbone left without pretrained weights, which measuring needs none of.

    Args:
        path (str): Config file, or a config a package ships
            (``'mmdet::retinanet/retinanet_r18_fpn_1x_coco.py'``).
        cfg_options (dict, optional): ``--cfg-options`` overrides.

    Returns:
        mmengine.Config: The config, ready for ``MODELS.build(cfg.model)``,
        with ``default_scope`` set (mmdet where it names none).
    """
    cfg = get_config(path) if '::' in path else Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    cfg.default_scope = cfg.get('default_scope', 'mmdet')
    init_default_scope(cfg.default_scope)
    cfg.model.backbone.init_cfg = None
    # mmseg's configs name the backbone's weights here instead.
    cfg.model.pop('pretrained', None)
    return cfg
