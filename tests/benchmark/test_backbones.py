import pytest
import torch

from evit_dense.benchmark.backbones import (backbone_case, build_backbone,
                                            output_differences,
                                            shares_weights)
from evit_dense.errors import ConfigError
from evit_dense.models import EfficientViT, EfficientViTMIT


def test_rows_of_an_arch_are_built_from_the_same_weights():
    plain = build_backbone('b0')
    with_cp = build_backbone('b0:with_cp')
    assert isinstance(plain, EfficientViTMIT) and with_cp.with_cp
    for (name, a), b in zip(plain.state_dict().items(),
                            with_cp.state_dict().values(), strict=True):
        assert torch.equal(a, b), name


def test_deploy_row_is_the_deploy_form():
    model = build_backbone('m0:deploy')
    assert isinstance(model, EfficientViT) and not model.training
    assert any('cached_bias' in name for name, _ in model.named_buffers())


def test_a_reference_of_another_family_is_no_row():
    with pytest.raises(ConfigError, match="'b1:official'"):
        build_backbone('b1:official')
    with pytest.raises(ConfigError, match='deploy, with_cp and official'):
        build_backbone('m0:mit')


@pytest.mark.parametrize('spec, shares', [
    ('m0', True), ('m0:deploy', True), ('m0:with_cp', True),
    ('m0:official', False), ('m1', False), ('resnet18', False)])
def test_which_rows_share_the_first_rows_weights(spec, shares):
    assert shares_weights(spec, 'm0') is shares


def test_mits_code_shares_the_first_rows_weights():
    assert shares_weights('b0:mit', 'b0')


def test_output_differences_compare_only_rows_with_the_same_weights():
    cases = {spec: (model, infer) for spec, (model, infer, _) in (
        (spec, backbone_case(spec, (64, 64), 1, 'cpu'))
        for spec in ('m0', 'm0:deploy', 'm0:official'))}
    for model, _ in cases.values():
        model.eval()
    differences = output_differences(cases, 'm0')
    assert set(differences) == {'m0:deploy'}
    assert differences['m0:deploy'] < 1e-5
