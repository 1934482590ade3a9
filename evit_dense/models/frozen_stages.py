"""``frozen_stages`` and ``norm_eval``, as both backbone families (and
mmdet's backbones) implement them over a stem followed by stages."""
from torch.nn.modules.batchnorm import _BatchNorm


class FrozenStagesMixin:
    """For a backbone module with ``frozen_stages``, ``norm_eval``,
    ``stages`` and a stem named ``stem_name``: -1 freezes nothing, 0 the
    stem, i > 0 also stages 1..i (no gradients, kept in eval mode); with
    ``norm_eval`` every BatchNorm stays in eval mode while training.
    Call ``_freeze_stages()`` at the end of ``__init__``."""

    stem_name = 'stem'

    def _freeze_stages(self):
        frozen = ([getattr(self, self.stem_name)]
                  if self.frozen_stages >= 0 else [])
        frozen += list(self.stages[:max(self.frozen_stages, 0)])
        for module in frozen:
            module.eval()
            for param in module.parameters():
                param.requires_grad = False

    def train(self, mode=True):
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for module in self.modules():
                if isinstance(module, _BatchNorm):
                    module.eval()
        return self
