import os
import sys
from pathlib import Path

import pytest
import torch

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(os.environ.get('EVIT_FIXTURES',
                               REPO_ROOT.parent / 'shared' / 'fixtures'))


MIT_REFERENCE_DIR = REPO_ROOT / 'third_party' / 'mit_efficientvit'


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


@pytest.fixture(scope='session')
def mit():
    """MIT's original EfficientViT code (vendored unmodified in
    third_party/), built by its ``mit_reference`` loader."""
    if str(MIT_REFERENCE_DIR) not in sys.path:
        sys.path.insert(0, str(MIT_REFERENCE_DIR))
    import mit_reference
    return mit_reference


@pytest.fixture(scope='session')
def mit_backbone_fixture():
    return torch.load(fixture_path('mit_backbone_reference.pt'),
                      weights_only=True)


@pytest.fixture(scope='session')
def mit_seg_fixture():
    return torch.load(fixture_path('mit_seg_reference.pt'), weights_only=True)


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


def randomise_batchnorms(model):
    """Set every BatchNorm's scale, shift and statistics away from their
    initial values, as training would (initial ones hide errors that
    pruning or folding could make); returns ``model``."""
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.weight.data.uniform_(0.5, 1.5)
            module.bias.data.uniform_(-0.2, 0.2)
            module.running_mean.uniform_(-0.1, 0.1)
            module.running_var.uniform_(0.5, 1.5)
    return model
