"""A case is what one row measures: a model and the step to time (inference
in eval mode, a forward and backward pass in train mode)."""
import torch

from .backbones import backbone_case
from .whole_models import model_case


def build_cases(kind, specs, shape, batch, device, mode):
    """``{spec: (model, step)}`` for a ``kind`` of benchmark: 'backbone'
    (:mod:`.backbones`), 'model' or 'deploy' (:mod:`.whole_models`; 'deploy'
    times inference on a batch already pre-processed)."""
    torch.manual_seed(0)
    cases = {}
    for spec in specs:
        if kind == 'backbone':
            model, infer, train_step = backbone_case(spec, shape, batch,
                                                     device)
        else:
            model, infer, train_step = model_case(
                spec, shape, batch, device,
                preprocess_outside=kind == 'deploy')
        model.train(mode == 'train')
        cases[spec] = (model, train_step if mode == 'train' else infer)
    return cases
