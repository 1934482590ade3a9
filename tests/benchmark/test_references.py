import pytest
import torch

from evit_dense.benchmark import references
from evit_dense.benchmark.backbones import build_backbone
from evit_dense.benchmark.references import (REFERENCES, import_third_party,
                                             official_runs_at)
from evit_dense.errors import MissingFileError
from evit_dense.models import family_of_arch


def test_official_row_only_where_the_official_code_runs():
    assert REFERENCES[family_of_arch('b1').reference].runs_at([64, 448])
    assert family_of_arch('l1').reference == 'mit'  # MIT's: any size
    assert family_of_arch('m4').reference == 'official'
    assert official_runs_at([64, 480])  # stride-64 map 1x8
    assert official_runs_at([448, 448])  # exactly one window
    assert not official_runs_at([64, 448])  # 1x7
    assert not official_runs_at([224, 224])
    assert not REFERENCES['official'].runs_at([224, 224])


def test_every_familys_reference_is_in_the_table():
    from evit_dense.models import FAMILIES
    for family in FAMILIES:
        assert family.reference in REFERENCES, family.name


def test_mit_reference_row_holds_our_weights():
    ours = build_backbone('l0').eval()
    reference = build_backbone('l0:mit').eval()
    x = torch.rand(1, 3, 64, 64)
    with torch.no_grad():
        for out, expected in zip(reference(x), ours(x), strict=True):
            assert out.shape == expected.shape
            assert (out - expected).abs().max() <= 1e-5 * expected.abs().max()


def test_official_reference_row_is_the_official_model_of_the_arch():
    ours = build_backbone('m0')
    official = build_backbone('m0:official')
    assert type(official).__name__ == 'OfficialEfficientViT'
    assert sum(p.numel() for p in official.parameters()) == sum(
        p.numel() for p in ours.parameters())


def test_missing_third_party_folder_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(references, 'THIRD_PARTY', tmp_path / 'third_party')
    with pytest.raises(MissingFileError, match='source tree'):
        import_third_party('mit_efficientvit', 'mit_reference')
