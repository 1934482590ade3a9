"""The benchmark's copy of the official backbone must be the official model:
it loads the official state dict strictly and reproduces the stored outputs."""
import importlib.util

import pytest
import torch

from evit_dense.models import EfficientViT
from tests.conftest import REPO_ROOT, relative_error


def load_reference_module():
    spec = importlib.util.spec_from_file_location(
        'official_efficientvit',
        REPO_ROOT / 'third_party' / 'official_efficientvit' /
        'official_efficientvit.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize('arch', ['M0', 'M4'])
def test_reproduces_the_official_outputs(official_backbones, arch):
    reference = official_backbones[arch]
    model = load_reference_module().official_efficientvit(arch.lower())
    model.load_state_dict(reference['state_dict'], strict=True)
    model.eval()
    with torch.no_grad():
        for case in reference['cases']:
            outputs = model(case['input'])
            for actual, expected in zip(outputs, case['outputs'], strict=True):
                assert relative_error(actual, expected) < 1e-4


def test_matches_our_deploy_form_on_the_same_weights():
    module = load_reference_module()
    torch.manual_seed(0)
    official = module.official_efficientvit('m0')
    for param in official.parameters():
        param.data.normal_(0, 0.2)
    official.eval()  # after the weights: the official eval caches its biases
    ours = EfficientViT(arch='m0')
    ours.load_state_dict(official.state_dict())
    ours.eval().switch_to_deploy()
    x = torch.randn(1, 3, 512, 576)  # stage 3 larger than a window
    with torch.no_grad():
        for actual, expected in zip(ours(x), official(x), strict=True):
            assert relative_error(actual, expected) < 1e-4
