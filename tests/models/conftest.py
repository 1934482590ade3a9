"""What the pruning tests of both backbone families share."""
import torch


def random_importance(units, seed=0):
    """A random importance per channel of each pruning unit."""
    generator = torch.Generator().manual_seed(seed)
    return {unit.name: torch.rand(unit.size, generator=generator)
            for unit in units}


def max_output_difference(ours, theirs, inputs):
    """The largest difference between two backbones' outputs."""
    with torch.no_grad():
        return max((a - b).abs().max().item()
                   for a, b in zip(ours(inputs), theirs(inputs)))


class BackboneLoss(torch.nn.Module):
    """Just enough of an MMEngine model for ``taylor_importance``."""

    def __init__(self, backbone):
        super().__init__()
        self.backbone = backbone

    def data_preprocessor(self, batch, training):
        return dict(inputs=batch)

    def forward(self, inputs, mode):
        return dict(loss=sum(out.square().mean()
                             for out in self.backbone(inputs)))

    def parse_losses(self, losses):
        return losses['loss'], losses
