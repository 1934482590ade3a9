"""MIT han-lab's original EfficientViT (B0-B3, L0-L3 backbones; EfficientViT-Seg), built from the unmodified
sources beside this file (see SOURCE and LICENSE) without installing MIT's package or its heavy imports.

    import sys; sys.path.insert(0, 'third_party/mit_efficientvit')
    import mit_reference as R
    backbone = R.build('b1')                 # efficientvit_backbone_b1(), eval mode; forward -> {'stage0'..'stage_final'}
    seg = R.build_seg('b1', 'ade20k')        # efficientvit_seg_b1('ade20k'), eval mode, MIT's model-zoo BatchNorm eps

Only imports the models never use are stubbed via sys.modules:
  * efficientvit.models.nn.triton_rms_norm - needs triton (unused: norm is 'bn2d');
  * efficientvit.models.nn.drop            - imports MIT's trainer (drop-path is training-only);
  * efficientvit.models.efficientvit       - its __init__ also imports cls/sam/dc_ae (timm, torchvision, diffusers...);
    it is replaced by a bare package so that only backbone.py and seg.py are loaded from it.
"""
import os
import sys
import types

import numpy as np
import torch

_ROOT = os.path.dirname(os.path.abspath(__file__))
STD = 0.1


def _stub(name, path=None, **attrs):
    m = types.ModuleType(name)
    if path is not None:
        m.__path__ = [path]  # a package whose submodules are still found in the vendored folder
    m.__dict__.update(attrs)
    sys.modules[name] = m


def backbone_module():
    """The vendored efficientvit/models/efficientvit/backbone.py, imported as a module."""
    name = 'efficientvit.models.efficientvit.backbone'
    if name not in sys.modules:
        if _ROOT not in sys.path:
            sys.path.insert(0, _ROOT)
        _stub('efficientvit.models.nn.triton_rms_norm', TritonRMSNorm2dFunc=None, __all__=[])
        _stub('efficientvit.models.nn.drop', __all__=[])
        _stub('efficientvit.models.efficientvit', path=os.path.join(_ROOT, 'efficientvit', 'models', 'efficientvit'))
        __import__(name)
    return sys.modules[name]


# BatchNorm eps that MIT's model zoos set on every released model (cls_model_zoo / seg_model_zoo: set_norm_eps).
NORM_EPS = {'b': 1e-5, 'l': 1e-7}


def _set_norm_eps(model, name):
    for m in model.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.eps = NORM_EPS[name[0]]
    return model


def build(name, zoo_eps=False):
    """name 'b0'..'b3' or 'l0'..'l3' -> the original efficientvit_backbone_<name>() in eval mode.
    zoo_eps=True applies the BatchNorm eps of MIT's model zoo (1e-7 for L models), as released models run."""
    m = getattr(backbone_module(), f'efficientvit_backbone_{name}')().eval()
    return _set_norm_eps(m, name) if zoo_eps else m


def seg_module():
    """The vendored efficientvit/models/efficientvit/seg.py (SegHead, EfficientViTSeg, efficientvit_seg_*)."""
    backbone_module()
    name = 'efficientvit.models.efficientvit.seg'
    if name not in sys.modules:
        __import__(name)
    return sys.modules[name]


def build_seg(name, dataset):
    """The original efficientvit_seg_<name>(dataset) ('ade20k' or 'cityscapes'), eval mode, model-zoo eps.
    forward(x) -> logits at stride 8 (1, classes, H/8, W/8); H and W must be multiples of 32."""
    m = getattr(seg_module(), f'efficientvit_seg_{name}')(dataset).eval()
    return _set_norm_eps(m, name)


def seeded_tensors(keys, shapes, seed, std=STD, scheme='fanin'):
    """The seeded state dict from key names and shapes alone (e.g. a fixture's 'keys'/'shapes')."""
    sd = {}
    for i, (k, shape) in enumerate(zip(keys, shapes)):
        shape = tuple(shape)
        if k.endswith('num_batches_tracked'):
            sd[k] = torch.zeros(shape, dtype=torch.long)
            continue
        rng = np.random.default_rng([seed, i])
        if k.endswith('running_var') or (scheme == 'fanin' and k.endswith('.weight') and len(shape) == 1):
            a = rng.uniform(0.5, 1.5, size=shape)
        elif scheme == 'fanin' and len(shape) == 4:
            a = rng.normal(0, 1 / np.sqrt(np.prod(shape[1:])), size=shape)
        else:
            a = rng.normal(0, std, size=shape)
        sd[k] = torch.from_numpy(a.astype(np.float32))
    return sd


def seeded_state_dict(model, seed, std=STD, scheme='fanin'):
    sd = model.state_dict()
    return seeded_tensors(list(sd), [v.shape for v in sd.values()], seed, std, scheme)


def seeded_input(hw, seed):
    """(1, 3, H, W) float32 standard normal input."""
    return torch.from_numpy(np.random.default_rng(seed).normal(size=(1, 3, *hw)).astype(np.float32))
