"""Checkpoint files that survive a crash, and loading that names a bad file
(written for MMEngine 0.10.7, torch 2.6 to 2.13).

- MMEngine's local file writes (checkpoints among them) go to a temporary
  file in the same folder, are flushed to disk, then renamed over the
  target (``evit_dense.utils.write_atomically``): a process killed
  mid-write leaves the previous file whole.
- ``CheckpointHook`` writes the new checkpoint, then ``last_checkpoint``,
  and only then deletes checkpoints beyond ``max_keep_ckpts``; MMEngine
  deletes first, so a kill during the write could leave no complete one.
- Loading a local checkpoint (``--resume``, ``load_from``, ``tools/test.py``,
  the converter, mmdet's and mmseg's tools alike) keeps torch's
  ``weights_only`` and turns a truncated, corrupt or code-carrying file into
  one ``CorruptFileError`` naming it.

The loader is an extension point: MMEngine's ``CheckpointLoader`` scheme
for local paths. The two writers are patches: ``LocalBackend`` is patched
rather than a subclass registered as the ``local`` backend because the
deprecated ``file_client_args`` path (FileClient's ``disk`` backend,
``HardDiskBackend``) inherits from it too; ``CheckpointHook`` is the type
mmdet's and mmseg's ``default_runtime`` configs name, so a new hook type
would hold only for configs that name it.
"""
import os.path as osp
import pickle
import zipfile

import torch
from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook
from mmengine.runner import CheckpointLoader

from ..errors import CorruptFileError, MissingFileError
from ..utils.files import write_atomically
from .fix import Fix


def _put_atomically(self, obj, filepath):
    write_atomically(filepath, obj)


def _put_text_atomically(self, obj, filepath, encoding='utf-8'):
    write_atomically(filepath, obj.encode(encoding))


def _save_then_prune(self, runner, step, meta):
    """``CheckpointHook._save_checkpoint_with_step`` with MMEngine's order of
    deletion and writing reversed."""
    outdated = []
    if self.max_keep_ckpts > 0 and not (self.keep_ckpt_ids
                                        and self.keep_ckpt_ids[-1] == step):
        if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
            outdated.append(self.keep_ckpt_ids.popleft())
        self.keep_ckpt_ids.append(step)
        runner.message_hub.update_info('keep_ckpt_ids',
                                       list(self.keep_ckpt_ids))

    filename = self.filename_tmpl.format(step)
    self.last_ckpt = self.file_backend.join_path(self.out_dir, filename)
    runner.message_hub.update_info('last_ckpt', self.last_ckpt)
    runner.save_checkpoint(
        self.out_dir, filename, self.file_client_args,
        save_optimizer=self.save_optimizer,
        save_param_scheduler=self.save_param_scheduler, meta=meta,
        by_epoch=self.by_epoch, backend_args=self.backend_args, **self.args)
    if not is_main_process():
        return
    write_atomically(osp.join(runner.work_dir, 'last_checkpoint'),
                     str(self.last_ckpt))
    for old_step in outdated:
        old = self.file_backend.join_path(self.out_dir,
                                          self.filename_tmpl.format(old_step))
        if self.file_backend.isfile(old):
            self.file_backend.remove(old)
        elif self.file_backend.isdir(old):  # DeepSpeed saves folders
            self.file_backend.rmtree(old)


# What torch raises for a file that is not a whole checkpoint: a truncated
# zip archive, a legacy pickle cut short, a non-weights object refused.
UNREADABLE_CHECKPOINT_ERRORS = (RuntimeError, EOFError, pickle.UnpicklingError,
                                zipfile.BadZipFile, ValueError, OSError)


def _first_sentence(error):
    text = str(error).strip().splitlines()[0] if str(error).strip() else ''
    return f'{type(error).__name__}: {text.split(". ")[0]}'


def load_local_checkpoint(filename, map_location):
    """MMEngine's loader of local checkpoints, with clear errors."""
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise MissingFileError(f'checkpoint file "{filename}" does not exist')
    try:
        return torch.load(filename, map_location=map_location,
                          weights_only=True)
    except UNREADABLE_CHECKPOINT_ERRORS as error:
        if 'GLOBAL' in str(error):  # a global outside the allow-list
            raise CorruptFileError(
                f'checkpoint "{filename}" holds objects other than weights '
                f'and training state; it is refused rather than unpickled '
                f'with code execution') from error
        raise CorruptFileError(
            f'checkpoint "{filename}" cannot be read; it is truncated or '
            f'corrupt ({_first_sentence(error)})') from error


def make_checkpoint_io_safe():
    """Apply the changes described in this module's docstring; idempotent."""
    LocalBackend.put = _put_atomically
    LocalBackend.put_text = _put_text_atomically
    CheckpointHook._save_checkpoint_with_step = _save_then_prune
    CheckpointLoader.register_scheme(prefixes='', loader=load_local_checkpoint,
                                     force=True)


FIX = Fix(
    name='checkpoint_io',
    apply=make_checkpoint_io_safe,
    written_for={'mmengine': ('0.10', '0.10'), 'torch': ('2.6', '2.13')},
    replaces=('mmengine.fileio.LocalBackend.put',
              'mmengine.fileio.LocalBackend.put_text',
              'mmengine.hooks.CheckpointHook._save_checkpoint_with_step'),
    registers=("mmengine.runner.CheckpointLoader scheme '' (local paths)",))
