import pickle
import random

import numpy as np
import torch
from mmengine.dataset import DefaultSampler

import evit_dense  # noqa: F401  applies the changes
from evit_dense.runtime.exact_resume import (ResumableBatchSampler,
                                             SeededIndex, capture_rng_state,
                                             restore_rng_state,
                                             seeded_cpu_generators)


def draws():
    return (random.random(), np.random.rand(), torch.rand(1).item())


def test_seeded_index_survives_pickling_to_a_worker():
    index = pickle.loads(pickle.dumps(SeededIndex(7, seed=123)))
    assert isinstance(index, SeededIndex)
    assert index == 7 and index.seed == 123


def test_seeded_generators_repeat_and_leave_the_global_state():
    torch.manual_seed(0)
    random.seed(0)
    np.random.seed(0)
    expected = draws()
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    with seeded_cpu_generators(5):
        first = draws()
    with seeded_cpu_generators(5):
        assert draws() == first
    assert draws() == expected


def test_rng_state_round_trip_through_a_weights_only_checkpoint(tmp_path):
    state = capture_rng_state()
    expected = draws()
    torch.save(dict(rng_states=[state]), tmp_path / 'states.pth')
    loaded = torch.load(tmp_path / 'states.pth', weights_only=True)
    restore_rng_state(loaded['rng_states'][0])
    assert draws() == expected


def batches(epoch=0):
    sampler = DefaultSampler(list(range(10)), shuffle=True, seed=3)
    sampler.set_epoch(epoch)
    batch_sampler = ResumableBatchSampler(sampler, batch_size=3, seed=3)
    return [[(int(i), i.seed) for i in batch] for batch in batch_sampler]


def test_batches_carry_seeds_by_epoch_and_position():
    epoch0 = batches()
    assert epoch0 == batches()
    assert len(epoch0) == 4
    seeds = [seed for batch in epoch0 for _, seed in batch]
    assert len(set(seeds)) == len(seeds)
    assert {seed for batch in batches(epoch=1) for _, seed in batch
            }.isdisjoint(seeds)


def test_skipped_batches_are_the_epochs_first_ones_only_once():
    sampler = DefaultSampler(list(range(10)), shuffle=True, seed=3)
    batch_sampler = ResumableBatchSampler(sampler, batch_size=3, seed=3)
    full = [list(b) for b in batch_sampler]
    batch_sampler.batches_to_skip = 2
    assert [list(b) for b in batch_sampler] == full[2:]
    assert [list(b) for b in batch_sampler] == full
    assert len(batch_sampler) == 4
