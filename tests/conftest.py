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
