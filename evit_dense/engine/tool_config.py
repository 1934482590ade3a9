"""The config a tool runs: the file, the command line applied, its scope
checked (the tools serve mmdet and mmseg configs alike)."""
import os.path as osp

from mmengine.config import Config

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
        raise FileNotFoundError(f'config file "{path}" does not exist')
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if cfg.get('default_scope') not in SCOPES:
        raise ValueError(
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
