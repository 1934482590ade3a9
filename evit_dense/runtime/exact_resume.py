"""Exact resume: a run restarted with ``--resume`` ends with the weights of
a run that never stopped (written for MMEngine 0.10.7, torch 2.0 to 2.13).

MMEngine resumes weights, optimizer, schedulers and the iteration count but
loses three things: by-epoch training re-runs an unfinished epoch from its
first batch; every random generator restarts from the seed; and dataloader
workers restart, so the augmentations after a resume repeat those of the
first epoch. This module:

- seeds each sample's data pipeline from (seed, rank, epoch, position in the
  epoch), in whichever process loads it: augmentations no longer depend on
  worker state, so none needs saving. In the main process (no workers) the
  global generators are put back afterwards, so data loading never shifts
  the model's randomness (dropout, proposal sampling);
- gives every dataloader its own generator for worker base seeds, so
  starting an epoch or a validation draws nothing from the global one;
- saves the python, numpy and torch (CPU and CUDA) generator states of
  every process with each checkpoint (message hub info ``rng_states``, a
  list by rank) and restores them when resuming;
- skips, without loading them, the batches of the resumed epoch that were
  trained before a mid-epoch checkpoint (by-iteration loops already replay
  the data up to the checkpoint, which the seeding makes exact).

Between saving the states after one iteration and the next iteration only
data loading and validation run, and neither draws from the global
generators, so restoring them after MMEngine's resume continues the
uninterrupted run's streams.

Patches, so that it holds for every config, mmdet's and mmseg's tools
included: the batch sampler is a registered type
(``ResumableBatchSampler``), but it needs the seed the Runner draws and it
wraps whichever batch sampler the config names, so ``build_dataloader``
sets it; the generator states are gathered from every rank before
``Runner.save_checkpoint``, which only rank 0 runs (a hook's
``before_save_checkpoint`` runs inside it, too late to gather), and
restored after ``Runner.resume`` has loaded everything else.
"""
import functools
import logging
import random
from contextlib import contextmanager

import numpy as np
import torch
from mmengine.dataset import (BaseDataset, ClassBalancedDataset,
                              ConcatDataset, RepeatDataset)
from mmengine.dist import all_gather_object, get_rank
from mmengine.logging import print_log
from mmengine.registry import DATA_SAMPLERS
from mmengine.runner import EpochBasedTrainLoop, Runner
from torch.utils.data import BatchSampler, Sampler

from .fix import Fix

RNG_STATES_KEY = 'rng_states'


def sample_seed(seed, rank, epoch, position):
    """The pipeline seed of the ``position``-th sample a rank loads in an
    epoch."""
    sequence = np.random.SeedSequence([seed % 2**63, rank, epoch, position])
    return int(sequence.generate_state(1)[0])


class SeededIndex(int):
    """A dataset index carrying the seed of that sample's pipeline."""

    def __new__(cls, index, seed):
        seeded = super().__new__(cls, index)
        seeded.seed = seed
        return seeded

    def __reduce__(self):
        return SeededIndex, (int(self), self.seed)


def capture_rng_state():
    """This process's python, numpy and torch generator states, in types
    that ``weights_only`` checkpoints load."""
    np_state = np.random.get_state()
    return dict(
        python=random.getstate(),
        numpy=(np_state[0], np_state[1].tolist(), *np_state[2:]),
        torch=torch.get_rng_state(),
        cuda=(torch.cuda.get_rng_state_all()
              if torch.cuda.is_available() else []))


def restore_rng_state(state):
    random.setstate(state['python'])
    name, keys, *rest = state['numpy']
    np.random.set_state((name, np.array(keys, dtype=np.uint32), *rest))
    torch.set_rng_state(state['torch'])
    if state['cuda'] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])


@contextmanager
def seeded_cpu_generators(seed):
    """Seed python, numpy and torch's CPU generator for one sample, then put
    back their states."""
    saved = random.getstate(), np.random.get_state(), torch.get_rng_state()
    random.seed(seed)
    np.random.seed(seed)
    torch.random.default_generator.manual_seed(seed)
    try:
        yield
    finally:
        random.setstate(saved[0])
        np.random.set_state(saved[1])
        torch.set_rng_state(saved[2])


def _seed_by_index(getitem):
    """Wrap a dataset's ``__getitem__``: a ``SeededIndex`` runs the sample's
    pipeline under its seed. Inner datasets get plain ints, so wrapped
    datasets seed once, at the outermost."""

    @functools.wraps(getitem)
    def getitem_seeded(self, index):
        if not isinstance(index, SeededIndex):
            return getitem(self, index)
        with seeded_cpu_generators(index.seed):
            return getitem(self, int(index))

    getitem_seeded.evit_dense_patched = True
    return getitem_seeded


class SeededSampler(Sampler):
    """Yields ``sampler``'s indices as ``SeededIndex``; other attributes
    (``dataset``, ``epoch``, ``set_epoch``) are the wrapped sampler's."""

    def __init__(self, sampler, seed):
        self.sampler = sampler
        self.seed = seed
        self.rank = get_rank()

    def __iter__(self):
        epoch = getattr(self.sampler, 'epoch', 0)
        for position, index in enumerate(self.sampler):
            yield SeededIndex(index,
                              sample_seed(self.seed, self.rank, epoch,
                                          position))

    def __len__(self):
        return len(self.sampler)

    def __getattr__(self, name):
        if name == 'sampler':  # not set yet (copy, unpickling)
            raise AttributeError(name)
        return getattr(self.sampler, name)


@DATA_SAMPLERS.register_module()
class ResumableBatchSampler:
    """The config's batch sampler (torch's ``BatchSampler`` where it names
    none) over a ``SeededSampler``, able to skip the first batches of its
    next pass without loading them (a mid-epoch resume)."""

    def __init__(self, sampler, batch_size, seed, batch_sampler=None,
                 drop_last=False):
        self.sampler = SeededSampler(sampler, seed)
        if batch_sampler is None:
            self.batch_sampler = BatchSampler(self.sampler, batch_size,
                                              drop_last)
        else:
            self.batch_sampler = DATA_SAMPLERS.build(
                batch_sampler, default_args=dict(sampler=self.sampler,
                                                 batch_size=batch_size))
        self.batches_to_skip = 0

    def __iter__(self):
        batches = iter(self.batch_sampler)
        skip, self.batches_to_skip = self.batches_to_skip, 0
        for _ in range(skip):
            next(batches)
        yield from batches

    def __len__(self):
        return len(self.batch_sampler)


def _build_dataloader_resumable(build_dataloader):
    """Wrap ``Runner.build_dataloader``: batches come from a
    ``ResumableBatchSampler`` and worker seeds from the loader's own
    generator."""

    @functools.wraps(build_dataloader)
    def build_resumable(dataloader, seed=None, diff_rank_seed=False):
        if (isinstance(dataloader, dict)
                and isinstance(dataloader.get('sampler'), dict)
                and isinstance(dataloader.get('batch_sampler'),
                               (dict, type(None)))):
            dataloader = dict(dataloader)
            batch_sampler = dataloader.get('batch_sampler')
            dataloader['batch_sampler'] = dict(
                type=ResumableBatchSampler, batch_sampler=batch_sampler,
                seed=seed or 0)
            if batch_sampler is None:
                # torch's BatchSampler takes it; the DataLoader refuses it
                # beside a batch sampler
                dataloader['batch_sampler']['drop_last'] = dataloader.pop(
                    'drop_last', False)
        loader = build_dataloader(dataloader, seed=seed,
                                  diff_rank_seed=diff_rank_seed)
        if loader.generator is None:
            loader.generator = torch.Generator().manual_seed(seed or 0)
        return loader

    build_resumable.evit_dense_patched = True
    return staticmethod(build_resumable)


def _save_checkpoint_with_rng_states(save_checkpoint):
    """Wrap ``Runner.save_checkpoint`` (which only rank 0 runs): first every
    rank's generator states go into the message hub that it saves."""

    @functools.wraps(save_checkpoint)
    def save_with_rng_states(self, *args, **kwargs):
        states = all_gather_object(capture_rng_state())
        self.message_hub.update_info(RNG_STATES_KEY, states)
        return save_checkpoint(self, *args, **kwargs)

    save_with_rng_states.evit_dense_patched = True
    return save_with_rng_states


def _resume_exactly(resume):
    """Wrap ``Runner.resume``: then skip what the resumed epoch already
    trained and restore this rank's generator states."""

    @functools.wraps(resume)
    def resume_exact(self, filename, *args, **kwargs):
        resume(self, filename, *args, **kwargs)
        # the checkpoint to fall back on is this file, wherever it was saved
        self.message_hub.update_info('last_ckpt', filename)
        loop = self.train_loop
        batch_sampler = getattr(loop.dataloader, 'batch_sampler', None)
        if (isinstance(loop, EpochBasedTrainLoop)
                and isinstance(batch_sampler, ResumableBatchSampler)):
            batch_sampler.batches_to_skip = (
                self.iter - self.epoch * len(loop.dataloader))
        states = self.message_hub.get_info(RNG_STATES_KEY)
        if states is None:
            print_log('The checkpoint holds no random generator states (it '
                      'was not saved by evit_dense): the resumed run will '
                      'draw other random numbers than an uninterrupted one',
                      logger='current', level=logging.WARNING)
        elif len(states) != self.world_size:
            print_log(f'The checkpoint holds random generator states of '
                      f'{len(states)} processes, this run has '
                      f'{self.world_size}: they are not restored',
                      logger='current', level=logging.WARNING)
        else:
            restore_rng_state(states[self.rank])

    resume_exact.evit_dense_patched = True
    return resume_exact


def enable_exact_resume():
    """Apply the changes described in this module's docstring to MMEngine;
    idempotent."""
    if getattr(Runner.resume, 'evit_dense_patched', False):
        return
    for dataset_class in (BaseDataset, ConcatDataset, RepeatDataset,
                          ClassBalancedDataset):
        dataset_class.__getitem__ = _seed_by_index(
            dataset_class.__getitem__)
    Runner.build_dataloader = _build_dataloader_resumable(
        Runner.build_dataloader)
    Runner.save_checkpoint = _save_checkpoint_with_rng_states(
        Runner.save_checkpoint)
    Runner.resume = _resume_exactly(Runner.resume)


FIX = Fix(
    name='exact_resume',
    apply=enable_exact_resume,
    written_for={'mmengine': ('0.10', '0.10'), 'torch': ('2.0', '2.13')},
    replaces=('mmengine.dataset.BaseDataset.__getitem__',
              'mmengine.dataset.ConcatDataset.__getitem__',
              'mmengine.dataset.RepeatDataset.__getitem__',
              'mmengine.dataset.ClassBalancedDataset.__getitem__',
              'mmengine.runner.Runner.build_dataloader',
              'mmengine.runner.Runner.save_checkpoint',
              'mmengine.runner.Runner.resume'),
    registers=("mmengine.registry.DATA_SAMPLERS 'ResumableBatchSampler'",))
