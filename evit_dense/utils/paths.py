"""Early, clear errors for missing files a config or command line names.

Without these checks a missing dataset surfaces as a traceback from deep
inside the Runner (often after the model is built), and a missing checkpoint
as MMEngine's generic loader error.
"""
import os.path as osp

from ..errors import MissingFileError


def _is_remote(path):
    return '://' in path


def _datasets(dataset_cfg):
    """The leaf datasets of ``dataset_cfg``, looking through wrappers such
    as ``RepeatDataset`` (``dataset``) and ``ConcatDataset``
    (``datasets``)."""
    if 'dataset' in dataset_cfg:
        return _datasets(dataset_cfg['dataset'])
    if 'datasets' in dataset_cfg:
        return [leaf for inner in dataset_cfg['datasets']
                for leaf in _datasets(inner)]
    return [dataset_cfg]


def _dataset_paths(dataset_cfg):
    """(what, path) for the annotation file and data prefixes of one
    dataset, joined with ``data_root`` the way MMEngine's ``BaseDataset``
    joins them."""
    data_root = dataset_cfg.get('data_root') or ''
    named = [('ann_file', dataset_cfg.get('ann_file') or '')]
    named += [(f'data_prefix.{key}', prefix) for key, prefix in
              (dataset_cfg.get('data_prefix') or {}).items()]
    for what, path in named:
        if not path:
            continue
        if data_root and not osp.isabs(path) and not _is_remote(path):
            path = osp.join(data_root, path)
        yield what, path


def _evaluator_paths(evaluator_cfg):
    evaluators = (evaluator_cfg if isinstance(evaluator_cfg, (list, tuple))
                  else [evaluator_cfg])
    for evaluator in evaluators:
        if evaluator.get('ann_file'):
            yield 'ann_file', evaluator['ann_file']


def check_dataset_paths(cfg, dataloaders):
    """Raise ``MissingFileError`` naming the first missing dataset path.

    Args:
        cfg (mmengine.Config): The config to check.
        dataloaders (Sequence[str]): Config keys of the dataloaders the tool
            will use, e.g. ``['test_dataloader']``; their evaluators'
            ``ann_file`` (COCO) are checked too. Keys the config lacks or
            sets to None are skipped.
    """
    for key in dataloaders:
        dataloader = cfg.get(key)
        if not dataloader:
            continue
        named = [(f'{key}.dataset', what, path)
                 for dataset in _datasets(dataloader['dataset'])
                 for what, path in _dataset_paths(dataset)]
        evaluator_key = key.replace('_dataloader', '_evaluator')
        if cfg.get(evaluator_key):
            named += [(evaluator_key, what, path) for what, path in
                      _evaluator_paths(cfg[evaluator_key])]
        for where, what, path in named:
            if not _is_remote(path) and not osp.exists(path):
                raise MissingFileError(
                    f'{where}: {what} "{path}" does not exist. Prepare the '
                    f'dataset there or point the config to it '
                    f'(tools/make_toy_coco.py and tools/make_toy_ade20k.py '
                    f'write toy datasets)')


def check_checkpoint_path(path, what='checkpoint'):
    """Raise ``MissingFileError`` if the local checkpoint ``path`` is
    missing (URLs are left to MMEngine's loaders)."""
    if not _is_remote(path) and not osp.isfile(path):
        raise MissingFileError(f'{what} file "{path}" does not exist')
