"""The backbone families, in one table that every tool and loading path asks.

A family is a package (``efficientvit_msra``, ``efficientvit_mit``) with the
same modules: ``backbone`` (registered, subclass of ``StagedBackbone``),
``checkpoint`` (``owns``, ``is_whole_model``,
``convert_backbone_state_dict``, ``convert_model_state_dict``), ``pruning`` (the API
``tools/analysis/prune.py`` drives). Adding a family is one such package and
one row of :data:`FAMILIES`.
"""
from dataclasses import dataclass
from types import ModuleType
from typing import Callable, Optional

from ..errors import ConfigError, UnknownArchError
from ..runtime.state_dict_adapters import register_state_dict_adapter
from . import efficientvit_mit, efficientvit_msra
from .common.checkpoint import CheckpointMismatchError, backbone_part
from .efficientvit_mit import checkpoint as mit_checkpoint
from .efficientvit_mit import imagenet_head as mit_imagenet_head
from .efficientvit_mit import pruning as mit_pruning
from .efficientvit_mit.released_models import adapt_model_state_dict
from .efficientvit_msra import checkpoint as msra_checkpoint
from .efficientvit_msra import imagenet_head as msra_imagenet_head
from .efficientvit_msra import pruning as msra_pruning


@dataclass(frozen=True)
class Family:
    """What the tools need to know of one backbone family.

    Attributes:
        name: short name, as timm names the family.
        backbone: the registered backbone class.
        checkpoint: its checkpoint module.
        pruning: its pruning module.
        imagenet_head: ``fn(arch, in_channels)``, the released ImageNet
            classifier over the last stage.
        reference: the original implementation ``tools/benchmark.py``
            compares with (``third_party/``).
        adapt_model_state_dict: ``fn(model, state_dict) -> state_dict`` for
            released whole-model files in a layout of their own, applied to
            every checkpoint loaded into a whole model; None if there are none.
    """
    name: str
    backbone: type
    checkpoint: ModuleType
    pruning: ModuleType
    imagenet_head: Callable
    reference: str
    adapt_model_state_dict: Optional[Callable] = None

    @property
    def title(self):
        """How messages name the family."""
        return self.backbone.family_title

    @property
    def archs(self):
        return tuple(self.backbone.arch_zoo)

    def owns(self, state_dict):
        """Whether ``state_dict`` (a backbone's, or a whole model's with a
        ``backbone.`` part) holds this family's keys."""
        return self.checkpoint.owns(backbone_part(state_dict))

    def convert(self, state_dict):
        """``(state_dict, format, kind)``: a checkpoint of this family in
        this package's names; ``kind`` is 'model' (for ``load_from``) or
        'backbone' (for the backbone's ``init_cfg``)."""
        if self.checkpoint.is_whole_model(state_dict):
            return (*self.checkpoint.convert_model_state_dict(state_dict),
                    'model')
        return (*self.checkpoint.convert_backbone_state_dict(state_dict),
                'backbone')

    @staticmethod
    def deploy(backbone):
        """The backbone rewritten for inference, outputs unchanged."""
        backbone.switch_to_deploy()
        return backbone


FAMILIES = (
    Family('efficientvit_msra', efficientvit_msra.EfficientViT,
           msra_checkpoint, msra_pruning, msra_imagenet_head.imagenet_head,
           reference='official'),
    Family('efficientvit_mit', efficientvit_mit.EfficientViTMIT,
           mit_checkpoint, mit_pruning, mit_imagenet_head.imagenet_head,
           reference='mit', adapt_model_state_dict=adapt_model_state_dict),
)

for _family in FAMILIES:
    if _family.adapt_model_state_dict is not None:
        register_state_dict_adapter(_family.adapt_model_state_dict)


def family_of_arch(arch):
    """The family whose ``arch_zoo`` has ``arch`` ('m4', 'b1', ...)."""
    for family in FAMILIES:
        if str(arch).lower() in family.archs:
            return family
    known = [a for family in FAMILIES for a in family.archs]
    raise UnknownArchError(f'Unknown EfficientViT arch {arch!r}; valid archs '
                           f'are {known}.')


def family_of_backbone(backbone):
    """The family of a backbone: a module, a config dict or a type name
    (``'EfficientViT'``, ``'mmdet.EfficientViT'``); None for another
    backbone (ResNet, ...)."""
    if isinstance(backbone, dict):
        backbone = str(backbone.get('type'))
    if isinstance(backbone, str):
        name = backbone.split('.')[-1]
        return next((f for f in FAMILIES if f.backbone.__name__ == name), None)
    return next((f for f in FAMILIES if isinstance(backbone, f.backbone)),
                None)


def family_of_state_dict(state_dict):
    """The family whose keys a backbone or whole-model state dict holds."""
    family = next((f for f in FAMILIES if f.owns(state_dict)), None)
    if family is None:
        raise CheckpointMismatchError(
            'Not an EfficientViT checkpoint of any family here ('
            + ', '.join(f.title for f in FAMILIES) + '); first keys: '
            f'{list(backbone_part(state_dict))[:5]}')
    return family


def require_family(cfg, tool):
    """The family of ``cfg.model.backbone``; a config with another
    backbone is a :class:`ConfigError` naming ``tool``."""
    backbone = cfg.model.get('backbone', {})
    family = family_of_backbone(backbone)
    if family is None:
        raise ConfigError(
            f'{tool} works on the EfficientViT backbones ('
            + ' and '.join(f.backbone.__name__ for f in FAMILIES)
            + f'); this config has {backbone.get("type")}')
    return family
