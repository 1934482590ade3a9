import os
from pathlib import Path

import pytest
import torch

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(os.environ.get('EVIT_FIXTURES',
                               REPO_ROOT.parent / 'shared' / 'fixtures'))


def fixture_path(name):
    """Path of a shared reference fixture; CI must have them, a user's clone
    may not (then the parity tests are skipped)."""
    path = FIXTURES / name
    if not path.is_file():
        if os.environ.get('CI'):
            pytest.fail(f'reference fixture {path} is missing')
        pytest.skip(f'reference fixture {path} is missing')
    return path


def relative_error(actual, expected):
    return ((actual - expected).abs().max() / expected.abs().max()).item()


@pytest.fixture(scope='session')
def official_backbones():
    return torch.load(fixture_path('official_efficientvit_reference.pt'),
                      weights_only=True)


def saved_activation_bytes(forward):
    """Bytes of the distinct tensors autograd keeps for backward while
    ``forward()`` runs: the activation memory of a training step."""
    storages = {}

    def pack(tensor):
        storage = tensor.untyped_storage()
        storages[storage.data_ptr()] = storage.nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        forward()
    return sum(storages.values())
