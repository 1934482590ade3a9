"""The first-order Taylor criterion (Molchanov et al., CVPR 2019): the
importance of a channel is ``|sum(w * dL/dw)|`` over the parameter slices
that make it, summed over batches of the model's own loss.

Another criterion goes beside this module, with the same shape: a function
of the model, the units and the family's ``channel_parts`` that returns unit
name -> per-channel importance.
"""
import torch


def _per_channel(tensor, dim, rows):
    """Sum ``tensor`` over everything but ``dim``, at ``rows`` of it."""
    index = [slice(None)] * tensor.dim()
    index[dim] = rows
    tensor = tensor[tuple(index)].transpose(0, dim)
    return tensor.reshape(tensor.shape[0], -1).sum(1)


@torch.no_grad()
def accumulate_taylor_importance(backbone, units, channel_parts, importance):
    """Add this batch's ``|sum(w * dL/dw)|`` per channel of each unit to
    ``importance`` (unit name -> tensor); gradients must be populated.
    ``channel_parts(backbone, unit)`` gives ``(parameter, dim, index)``
    triples whose entries along ``dim`` at ``index`` are the unit's
    channels, in channel order."""
    for unit in units:
        score = torch.zeros(unit.size, dtype=torch.float64)
        for param, dim, rows in channel_parts(backbone, unit):
            if param.grad is not None:
                score += _per_channel(param * param.grad, dim,
                                      rows).double().cpu()
        importance[unit.name] = importance.get(unit.name, 0) + score.abs()
    return importance


def taylor_importance(model, batches, units, channel_parts):
    """Accumulate the Taylor importance of ``units`` of ``model.backbone``
    over ``batches`` (dataloader batches), with the model's own loss.
    BatchNorms use their running statistics (eval mode), so the model is
    scored as it is deployed and is not changed; frozen parameters get
    gradients too.

    Returns:
        dict: unit name -> per-channel importance tensor.
    """
    importance = {}
    model.eval()
    for param in model.parameters():
        param.requires_grad_(True)
    for batch in batches:
        data = model.data_preprocessor(batch, True)
        loss, _ = model.parse_losses(model(**data, mode='loss'))
        model.zero_grad()
        loss.backward()
        accumulate_taylor_importance(model.backbone, units, channel_parts,
                                     importance)
    model.zero_grad()
    return importance
