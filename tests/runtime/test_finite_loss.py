import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.model import BaseModel

import evit_dense  # noqa: F401  applies the check
from evit_dense.errors import NonFiniteLossError


class TwoLosses(BaseModel):

    def forward(self, *args, **kwargs):
        pass


def test_nonfinite_loss_names_iteration_terms_and_last_checkpoint():
    hub = MessageHub.get_instance('test_finite_loss')
    hub.update_info('iter', 41)
    hub.update_info('last_ckpt', 'work_dirs/x/iter_40.pth')
    model = TwoLosses().train()
    losses = dict(loss_cls=torch.tensor(0.5), loss_bbox=torch.tensor(1.0))
    loss, _ = model.parse_losses(losses)
    assert loss == 1.5

    losses['loss_bbox'] = torch.tensor(float('inf'))
    with pytest.raises(NonFiniteLossError,
                       match=r'inf at iteration 42 \(loss_cls=0\.5, '
                       r'loss_bbox=inf\).*iter_40\.pth'):
        model.parse_losses(losses)


def test_evaluation_losses_are_not_checked():
    model = TwoLosses().eval()
    loss, _ = model.parse_losses(dict(loss=torch.tensor(float('nan'))))
    assert loss.isnan()
