"""tools/test.py on a released-model config of configs/efficientvit_mit/seg
with a file in the layout of MIT's released checkpoints, as the config's
header tells users to run it."""
import re
import sys

import pytest
import torch

from evit_dense.datasets import make_toy_ade20k
from tests.conftest import REPO_ROOT, fixture_path

from .conftest import run_tool

CONFIG = (REPO_ROOT / 'configs' / 'efficientvit_mit' / 'seg' /
          'efficientvit_seg_b1_ade20k.py')
MIT_REFERENCE_DIR = REPO_ROOT / 'third_party' / 'mit_efficientvit'


@pytest.fixture(scope='module')
def mit_b1_ade20k_file(tmp_path_factory):
    """The seg fixture's weights saved as MIT's efficientvit_seg_b1_ade20k.pt
    would be: {'state_dict': {'backbone.*', 'head.*'}}."""
    reference = torch.load(fixture_path('mit_seg_reference.pt'),
                           weights_only=True)['b1_ade20k']
    if str(MIT_REFERENCE_DIR) not in sys.path:
        sys.path.insert(0, str(MIT_REFERENCE_DIR))
    import mit_reference
    state_dict = mit_reference.seeded_tensors(
        reference['keys'], reference['shapes'], reference['seed'])
    path = tmp_path_factory.mktemp('mit') / 'efficientvit_seg_b1_ade20k.pt'
    torch.save({'state_dict': state_dict}, path)
    return path


def test_test_tool_evaluates_a_mit_file(mit_b1_ade20k_file, tmp_path):
    data_root = make_toy_ade20k(tmp_path / 'toy_ade20k', num_train=1,
                                num_val=2, seed=0)
    out = run_tool(
        'tools/test.py', CONFIG, mit_b1_ade20k_file,
        '--work-dir', tmp_path / 'work_dir',
        '--cfg-options', f'test_dataloader.dataset.data_root={data_root}',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False').stdout
    # The file loaded whole: MMEngine would report any key it could not
    # place ('The model and loaded state dict do not match exactly').
    assert f'Load checkpoint from {mit_b1_ade20k_file}' in out
    assert 'do not match exactly' not in out, out[-3000:]
    miou = re.findall(r'mIoU: (\d+\.\d+)', out)
    assert miou, out[-3000:]
    assert 0 <= float(miou[-1]) <= 100
