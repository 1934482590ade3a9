"""Stop training when the loss becomes NaN or infinite (written for
MMEngine 0.10.7).

MMEngine would step the optimizer with the NaN gradients and save NaN
weights at the next checkpoint. ``BaseModel.parse_losses`` raises
``NonFiniteLossError`` before the optimizer step instead, naming the
iteration and each loss term, so the last checkpoint stays the last good
one.

A patch: hooks run after the optimizer step (mmdet's
``CheckInvalidLossHook`` checks in ``after_train_iter``, once the weights
have taken the NaN update), and between the loss and the step there is no
hook; the optimizer wrapper is a registered type, but every config names
its own.
"""
import functools

import torch
from mmengine.logging import MessageHub
from mmengine.model import BaseModel

from ..errors import NonFiniteLossError
from .fix import Fix


def check_finite_loss(loss, log_vars):
    """Raise ``NonFiniteLossError`` if the total ``loss`` is NaN or inf."""
    if torch.isfinite(loss).all():
        return
    hub = MessageHub.get_current_instance()
    iteration = hub.get_info('iter')
    where = f' at iteration {iteration + 1}' if iteration is not None else ''
    terms = ', '.join(f'{name}={float(value):.4g}'
                      for name, value in log_vars.items() if name != 'loss')
    last_checkpoint = hub.get_info('last_ckpt')
    kept = (f'; the last checkpoint, {last_checkpoint}, is kept'
            if last_checkpoint else '')
    raise NonFiniteLossError(
        f'the training loss became {float(loss)}{where} ({terms}); training '
        f'stopped before updating the weights{kept}. A lower learning rate '
        f'or gradient clipping (optim_wrapper.clip_grad) usually helps')


def _checked(parse_losses):

    @functools.wraps(parse_losses)
    def parse_losses_checked(self, losses):
        loss, log_vars = parse_losses(self, losses)
        if self.training:
            check_finite_loss(loss, log_vars)
        return loss, log_vars

    parse_losses_checked.evit_dense_patched = True
    return parse_losses_checked


def stop_on_nonfinite_loss():
    """Make ``BaseModel.parse_losses`` check its total; idempotent."""
    if not getattr(BaseModel.parse_losses, 'evit_dense_patched', False):
        BaseModel.parse_losses = _checked(BaseModel.parse_losses)


FIX = Fix(
    name='finite_loss',
    apply=stop_on_nonfinite_loss,
    written_for={'mmengine': ('0.10', '0.10')},
    replaces=('mmengine.model.BaseModel.parse_losses',))
