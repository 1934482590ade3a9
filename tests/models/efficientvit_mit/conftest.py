import sys

import pytest
import torch

from tests.conftest import REPO_ROOT, fixture_path

MIT_REFERENCE_DIR = REPO_ROOT / 'tools' / 'reference' / 'mit_efficientvit'


@pytest.fixture(scope='session')
def mit():
    """MIT's original code (vendored unmodified in tools/reference), built
    by its ``mit_reference`` loader."""
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
