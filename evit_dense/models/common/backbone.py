"""The skeleton both backbone families share: a stem, then stages, with the
ecosystem's contract (``out_indices``, ``frozen_stages``, ``norm_eval``,
``with_cp``, ``init_cfg``) and checkpoint conversion wherever a state dict
enters the backbone.

A family's backbone subclasses :class:`StagedBackbone`, builds its layers
and says what its outputs are and how its checkpoints are converted; the
rest is here, once.
"""
from mmengine.logging import MMLogger
from mmengine.model import BaseModule
from torch.nn.modules.batchnorm import _BatchNorm
from torch.utils.checkpoint import checkpoint

from ...errors import UnknownArchError
from .checkpoint import (CheckpointMismatchError, backbone_part,
                         load_checkpoint_file, unwrap_state_dict)


def run_checkpointed(module, x, enabled):
    """``module(x)``; with ``enabled``, keep only ``x`` for the backward
    pass and recompute the rest there (activation checkpointing)."""
    if enabled:
        return checkpoint(module, x, use_reentrant=False)
    return module(x)


class StagedBackbone(BaseModule):
    """Base of the EfficientViT backbones: a stem, then ``stages``.

    Subclasses set the class attributes

    - ``arch_zoo``: the named archs; ``arch_keys`` and
      ``optional_arch_keys``: the keys of a custom arch dict;
    - ``family_title``: the family as messages name it;
    - ``stem_name``: the stem's attribute name;
    - ``output_names``: what each ``out_indices`` entry selects, in order;
    - ``checkpoint_format``: the family's ``checkpoint`` module (``owns``,
      ``convert_backbone_state_dict``);

    call ``super().__init__`` first, set ``self.output_channels`` and
    ``self.output_strides`` (one entry per ``output_names``), build the stem
    and ``self.stages``, call ``self._freeze_stages()`` last, and implement
    ``_check_fits(state_dict, prefix)``.
    """

    family_title = None
    stem_name = 'stem'
    output_names = ()
    checkpoint_format = None

    def __init__(self, out_indices, frozen_stages, norm_eval, with_cp,
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.out_indices = self.parse_out_indices(out_indices)
        num_stages = sum(name != 'stem' for name in self.output_names)
        if not -1 <= frozen_stages <= num_stages:
            raise ValueError(f'frozen_stages must be in [-1, {num_stages}], '
                             f'got {frozen_stages}')
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        self.with_cp = with_cp

    @classmethod
    def parse_arch(cls, arch):
        """The settings of a zoo arch name or of a custom arch dict,
        completed and checked by ``complete_arch``."""
        if isinstance(arch, str):
            if arch.lower() not in cls.arch_zoo:
                raise UnknownArchError(
                    f'Unknown {cls.__name__} arch {arch!r}; valid archs are '
                    f'{sorted(cls.arch_zoo)} or a dict.')
            return cls.complete_arch(dict(cls.arch_zoo[arch.lower()]))
        if not isinstance(arch, dict):
            raise TypeError(f'arch must be a str or dict, got {type(arch)}')
        missing = set(cls.arch_keys) - set(arch)
        unknown = set(arch) - set(cls.arch_keys) - set(cls.optional_arch_keys)
        if missing or unknown:
            raise UnknownArchError(
                f'A custom {cls.__name__} arch needs the keys '
                f'{list(cls.arch_keys)} (and optionally '
                f'{list(cls.optional_arch_keys)}); missing {sorted(missing)}, '
                f'unknown {sorted(unknown)}.')
        return cls.complete_arch(dict(arch))

    @classmethod
    def complete_arch(cls, settings):
        """``settings`` with the family's defaults, checked; raises
        ``ValueError`` naming what does not fit."""
        raise NotImplementedError

    @classmethod
    def parse_out_indices(cls, out_indices):
        """Sorted, non-negative, unique ``out_indices``; a bad entry is an
        error that lists the outputs."""
        if isinstance(out_indices, int):
            out_indices = [out_indices]
        num_outputs = len(cls.output_names)
        normalized = []
        for index in out_indices:
            if not -num_outputs <= index < num_outputs:
                outputs = ', '.join(f'{i}: {name}'
                                    for i, name in enumerate(cls.output_names))
                raise IndexError(f'out_indices entry {index} is out of range; '
                                 f'the outputs are {outputs}')
            normalized.append(index % num_outputs)
        return tuple(sorted(set(normalized)))

    @property
    def out_channels(self):
        """Channels of each output, in order."""
        return [self.output_channels[i] for i in self.out_indices]

    @property
    def strides(self):
        """Stride of each output relative to the input, in order."""
        return [self.output_strides[i] for i in self.out_indices]

    def _freeze_stages(self):
        """-1 freezes nothing, 0 the stem, i > 0 also stages 1..i (no
        gradients, kept in eval mode)."""
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

    @classmethod
    def convert_checkpoint(cls, checkpoint):
        """``(state_dict, format)`` of a checkpoint of this family in this
        package's names; a checkpoint of another family is refused by name.
        """
        state_dict = unwrap_state_dict(checkpoint)
        if isinstance(state_dict, dict):
            owner = cls.family_owning(backbone_part(state_dict))
            if owner not in (None, cls):
                raise CheckpointMismatchError(
                    f'This is a checkpoint of {owner.family_title} '
                    f'(type={owner.__name__!r}), not of {cls.family_title} '
                    f'(type={cls.__name__!r}).')
        return cls.checkpoint_format.convert_backbone_state_dict(checkpoint)

    @staticmethod
    def family_owning(state_dict):
        """The backbone class whose family's keys ``state_dict`` holds."""
        return next((family for family in StagedBackbone.__subclasses__()
                     if family.checkpoint_format.owns(state_dict)), None)

    def init_weights(self):
        if (isinstance(self.init_cfg, dict)
                and self.init_cfg.get('type') == 'Pretrained'):
            load_pretrained(self, self.init_cfg['checkpoint'],
                            logger=MMLogger.get_current_instance())
            self._is_init = True
        else:
            super().init_weights()

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # Every load path (init_cfg, load_from, resume, mmdet's and mmseg's
        # tools) passes through here: released formats are converted, and a
        # checkpoint of another arch or family is refused, never half-loaded.
        own = {k[len(prefix):]: state_dict.pop(k)
               for k in [k for k in state_dict if k.startswith(prefix)]}
        if not own:
            # torch and mmengine hand each module only the keys under its
            # prefix, so the rest of the checkpoint cannot be inspected here.
            raise CheckpointMismatchError(
                f'The checkpoint has no {prefix!r} weights for this '
                f'{type(self).__name__}. A backbone-only (e.g. ImageNet '
                "classification) checkpoint goes into the backbone's "
                "init_cfg=dict(type='Pretrained', checkpoint=...), not "
                'load_from or a whole-model checkpoint argument.')
        converted, fmt = self.convert_checkpoint(own)
        self._check_fits(converted, prefix)
        if fmt != 'timm':  # timm's names are this package's own
            MMLogger.get_current_instance().info(
                f'Converted {fmt} EfficientViT weights under {prefix!r} to '
                'evit_dense names.')
        state_dict.update({prefix + k: v for k, v in converted.items()})
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def _check_fits(self, state_dict, prefix):
        """Raise :class:`CheckpointMismatchError` unless the converted
        ``state_dict`` fits this backbone (it may be adapted in place)."""
        raise NotImplementedError


def load_pretrained(backbone, filename, logger=None):
    """Load a checkpoint of ``backbone``'s family, in any format it
    recognises, logging missing and unexpected keys."""
    state_dict, fmt = backbone.convert_checkpoint(load_checkpoint_file(filename))
    result = backbone.load_state_dict(state_dict, strict=False)
    if logger is not None:
        logger.info(f'Loaded {fmt} {type(backbone).__name__} checkpoint '
                    f'{filename}')
        if result.missing_keys:
            logger.warning(f'Missing keys: {result.missing_keys}')
        if result.unexpected_keys:
            logger.warning(f'Unexpected keys: {result.unexpected_keys}')
    return result
