"""The skeleton both families share: argument checks with messages that
name the family's outputs, and the refusal of the other family's weights."""
import pytest
import torch

from evit_dense.models import EfficientViT, EfficientViTMIT
from evit_dense.models.common.checkpoint import (CheckpointMismatchError,
                                                 state_dict_problems)


@pytest.mark.parametrize('backbone, index, outputs', [
    (EfficientViT, 3, '0: stage 1, 1: stage 2, 2: stage 3'),
    (EfficientViTMIT, 5, '0: stem, 1: stage 1, 2: stage 2, 3: stage 3, '
                         '4: stage 4')])
def test_out_of_range_output_lists_the_outputs(backbone, index, outputs):
    with pytest.raises(IndexError, match=f'entry {index} .*{outputs}$'):
        backbone(out_indices=(0, index))
    assert backbone(out_indices=(-1, 0, 0)).out_indices == (0, index - 1)


@pytest.mark.parametrize('backbone, stages', [(EfficientViT, 3),
                                              (EfficientViTMIT, 4)])
def test_frozen_stages_range(backbone, stages):
    with pytest.raises(ValueError, match=rf'\[-1, {stages}\], got {stages + 1}'):
        backbone(frozen_stages=stages + 1)


@pytest.mark.parametrize('ours, theirs', [(EfficientViT, EfficientViTMIT),
                                          (EfficientViTMIT, EfficientViT)])
def test_the_other_familys_weights_are_refused_by_name(ours, theirs):
    state = {f'backbone.{k}': v for k, v in theirs().state_dict().items()}
    with pytest.raises(CheckpointMismatchError,
                       match=f"type='{theirs.__name__}'.*not of.*"
                             f"type='{ours.__name__}'"):
        ours.convert_checkpoint(state)


def test_state_dict_problems_name_each_kind():
    model = {'a': torch.ones(2), 'b': torch.ones(3), 'n.num_batches_tracked':
             torch.ones(())}
    given = {'a': torch.ones(4), 'c': torch.ones(1)}
    problems = state_dict_problems(given, model)
    assert problems == ["1 missing, e.g. ['b']", "1 unexpected, e.g. ['c']",
                        "1 with other shapes, e.g. ['a: checkpoint (4,) vs "
                        "model (2,)']"]
    assert state_dict_problems(dict(model), model) == []
