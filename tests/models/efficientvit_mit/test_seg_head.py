"""MIT's released EfficientViT-Seg models, whole, in mmseg: each config of
configs/efficientvit_mit/seg builds MIT's model, loads MIT's file layout and
computes MIT's logits."""
import mmengine.runner.checkpoint as mmengine_checkpoint
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS, init_default_scope
from mmengine.runner import load_checkpoint

from evit_dense.models import EfficientViTMIT, EfficientViTMITSegHead
from tests.conftest import REPO_ROOT, relative_error

CONFIG_DIR = REPO_ROOT / 'configs' / 'efficientvit_mit' / 'seg'
# MIT's released segmentation checkpoints (mit-han-lab/efficientvit).
RELEASED = ([(arch, 'ade20k') for arch in ('b1', 'b2', 'b3', 'l1', 'l2')]
            + [(arch, 'cityscapes')
               for arch in ('b0', 'b1', 'b2', 'b3', 'l1', 'l2')])
NUM_CLASSES = {'ade20k': 150, 'cityscapes': 19}


def config_path(arch, dataset):
    return CONFIG_DIR / f'efficientvit_seg_{arch}_{dataset}.py'


def build_segmentor(arch, dataset):
    """The config's segmentor in eval mode, without its ImageNet init."""
    cfg = Config.fromfile(config_path(arch, dataset))
    init_default_scope('mmseg')
    cfg.model.backbone.init_cfg = None
    return MODELS.build(cfg.model).eval()


def test_every_released_model_has_a_config():
    names = {path.stem for path in CONFIG_DIR.glob('efficientvit_seg_*.py')}
    assert names == {f'efficientvit_seg_{arch}_{dataset}'
                     for arch, dataset in RELEASED}


@pytest.mark.parametrize('arch, dataset', RELEASED)
def test_config_matches_mit_model(mit, arch, dataset):
    """Same seeded weights, given in MIT's layout ('backbone.*', 'head.*')
    to MMEngine's load_state_dict as every checkpoint load does: the config's
    segmentor loads them strictly and computes what MIT's own
    efficientvit_seg_<arch>(dataset) does."""
    reference = mit.build_seg(arch, dataset)
    state_dict = mit.seeded_state_dict(reference, seed=1)
    reference.load_state_dict(state_dict)
    model = build_segmentor(arch, dataset)
    assert isinstance(model.backbone, EfficientViTMIT)
    assert isinstance(model.decode_head, EfficientViTMITSegHead)
    assert model.decode_head.num_classes == NUM_CLASSES[dataset]
    # strict: no missing or unexpected key after the renaming.
    mmengine_checkpoint.load_state_dict(model, dict(state_dict), strict=True)

    x = mit.seeded_input((64, 96), seed=2)
    with torch.no_grad():
        expected = reference(x)
        logits = model(x, mode='tensor')
    assert logits.shape == (1, NUM_CLASSES[dataset], 8, 12)
    assert relative_error(logits, expected) < 1e-4


@pytest.mark.parametrize('dataset', ['ade20k', 'cityscapes'])
def test_data_preprocessor_is_mit_normalisation(dataset):
    """MIT feeds RGB / 255 normalised with ImageNet's mean and std."""
    cfg = Config.fromfile(config_path('b1', dataset))
    preprocessor = cfg.model.data_preprocessor
    assert preprocessor.bgr_to_rgb
    assert preprocessor.mean == pytest.approx(
        [255 * m for m in (0.485, 0.456, 0.406)])
    assert preprocessor.std == pytest.approx(
        [255 * s for s in (0.229, 0.224, 0.225)])
    assert cfg.model.test_cfg.mode == 'whole'


def test_released_b1_ade20k_file_loads_through_load_checkpoint(
        mit, mit_seg_fixture, tmp_path):
    """The fixture's weights as a file in the layout of MIT's
    efficientvit_seg_b1_ade20k.pt, loaded the way tools/test.py loads it:
    strictly, and the logits are MIT's."""
    reference = mit_seg_fixture['b1_ade20k']
    state_dict = mit.seeded_tensors(reference['keys'], reference['shapes'],
                                    reference['seed'])
    path = tmp_path / 'efficientvit_seg_b1_ade20k.pt'
    torch.save({'state_dict': state_dict}, path)

    model = build_segmentor('b1', 'ade20k')
    assert model.decode_head.num_classes == reference['num_classes']
    # strict=True raises on any missing or unexpected key.
    load_checkpoint(model, str(path), map_location='cpu', strict=True)
    for case in reference['cases']:
        x = mit.seeded_input(case['hw'], case['input_seed'])
        with torch.no_grad():
            logits = model(x, mode='tensor')
        assert logits.shape == case['logits'].shape
        assert relative_error(logits, case['logits']) < 1e-4
