"""MIT's EfficientViT backbone (B0-B3, L0-L3) for dense prediction.

Paper: "EfficientViT: Lightweight Multi-Scale Attention for High-Resolution
Dense Prediction", Cai et al., ICCV 2023. Reference code: mit-han-lab/
efficientvit (``efficientvit/models/efficientvit/backbone.py``), whose
outputs this module reproduces, and timm's ``efficientvit_mit.py``, whose
module names it keeps (one layout for both series: ``stem``, then
``stages.0..3``). Not to be confused with the cascaded-group-attention
EfficientViT (M0-M5) of ``evit_dense.models.EfficientViT``.

Example:
    >>> import torch
    >>> from evit_dense.models import EfficientViTMIT
    >>> model = EfficientViTMIT(arch='b1').eval()
    >>> for level in model(torch.rand(1, 3, 224, 320)):
    ...     print(tuple(level.shape))
    (1, 32, 56, 80)
    (1, 64, 28, 40)
    (1, 128, 14, 20)
    (1, 256, 7, 10)
"""
from functools import lru_cache

import torch
import torch.nn as nn

from ...registry import MODELS
from ..common.backbone import StagedBackbone, run_checkpointed
from ..common.checkpoint import CheckpointMismatchError, state_dict_problems
from . import checkpoint as mit_checkpoint
from .attention import LiteMLA
from .layers import (ConvBlock, ConvNormAct, DSConv, FusedMBConv, MBConv,
                     ResidualBlock)

NUM_STAGES = 4  # after the stem; MIT's 'stage1'..'stage4'

# How each series builds its stages (MIT's EfficientViTBackbone and
# EfficientViTLargeBackbone). ``blocks``: the block type of stages 1-4;
# ``expand_ratios``: their expansion, and that of the stride-2 block opening
# each stage (``down_expand_ratios``); ``fewer_norm``: the stage's
# convolutional blocks have biases instead of BatchNorm except in their last
# conv. In B, the depth of a convolutional stage counts its stride-2 block;
# in L it does not.
SERIES = {
    'b': dict(stem_block='ds', blocks=('mb', 'mb', 'att', 'att'),
              expand_ratios=(4, 4, 4, 4), down_expand_ratios=(4, 4, 4, 4),
              fewer_norm=(False, False, True, True),
              depth_counts_downsample=True, act='hswish', norm_eps=1e-5),
    'l': dict(stem_block='res', blocks=('fmb', 'fmb', 'mb', 'att'),
              expand_ratios=(4, 4, 4, 6), down_expand_ratios=(16, 16, 16, 24),
              fewer_norm=(False, False, True, True),
              depth_counts_downsample=False, act='gelu', norm_eps=1e-7),
}


class EfficientViTMITBlock(nn.Module):
    """Global context (multi-scale linear attention), then local information
    (an MBConv), each residual. ``widths`` (optional, from pruning):
    ``dict(qk_dims=[per head], value_dims=[per head], hidden=MBConv
    hidden channels)``."""

    def __init__(self, channels, head_dim, expand_ratio, act, norm_eps,
                 widths=None):
        super().__init__()
        widths = widths or {}
        self.context_module = ResidualBlock(
            LiteMLA(channels, channels, head_dim=head_dim, norm_eps=norm_eps,
                    qk_dims=widths.get('qk_dims'),
                    value_dims=widths.get('value_dims')))
        self.local_module = ResidualBlock(
            MBConv(channels, channels, expand_ratio=expand_ratio,
                   bias=(True, True, False), norm=(False, False, True),
                   norm_eps=norm_eps, act=(act, act, None),
                   mid_channels=widths.get('hidden')))

    def forward(self, x):
        return self.local_module(self.context_module(x))


def local_block(kind, in_channels, out_channels, stride, expand_ratio, act,
                norm_eps, fewer_norm=False, mid_channels=None):
    """A convolutional block of MIT's ``build_local_block``;
    ``mid_channels`` (from pruning) sets an (F)MBConv's hidden width."""
    if kind == 'ds':
        return DSConv(in_channels, out_channels, stride,
                      bias=(True, False) if fewer_norm else False,
                      norm=(False, True) if fewer_norm else True,
                      norm_eps=norm_eps, act=(act, None))
    if kind == 'res':
        return ConvBlock(in_channels, out_channels, stride, expand_ratio,
                         bias=(True, False) if fewer_norm else False,
                         norm=(False, True) if fewer_norm else True,
                         norm_eps=norm_eps, act=(act, None))
    if kind == 'fmb':
        return FusedMBConv(in_channels, out_channels, stride, expand_ratio,
                           bias=(True, False) if fewer_norm else False,
                           norm=(False, True) if fewer_norm else True,
                           norm_eps=norm_eps, act=(act, None),
                           mid_channels=mid_channels)
    if kind == 'mb':
        return MBConv(in_channels, out_channels, stride, expand_ratio,
                      bias=(True, True, False) if fewer_norm else False,
                      norm=(False, False, True) if fewer_norm else True,
                      norm_eps=norm_eps, act=(act, act, None),
                      mid_channels=mid_channels)
    raise ValueError(f'Unknown block type {kind!r}')


class Stem(nn.Sequential):
    """A stride-2 3x3 conv, then residual blocks: MIT's 'stage0'."""

    def __init__(self, in_channels, out_channels, depth, block, act, norm_eps):
        super().__init__()
        self.add_module('in_conv', ConvNormAct(
            in_channels, out_channels, 3, 2, norm_eps=norm_eps, act=act))
        for i in range(depth):
            self.add_module(f'res{i}', ResidualBlock(local_block(
                block, out_channels, out_channels, 1, 1, act, norm_eps)))


class Stage(nn.Module):
    """A stride-2 block, then the stage's blocks (``blocks.0`` is the
    stride-2 one, as in timm)."""

    def __init__(self, blocks, with_cp=False):
        super().__init__()
        self.blocks = nn.Sequential(*blocks)
        self.with_cp = with_cp

    def forward(self, x):
        for block in self.blocks:
            x = run_checkpointed(block, x, self.with_cp and self.training)
        return x


def num_stage_blocks(series, index, depth):
    """Blocks of a stage, its stride-2 block included."""
    if series['blocks'][index] == 'att' or not series['depth_counts_downsample']:
        return depth + 1
    return depth


def build_stage(series, index, in_channels, out_channels, depth, head_dim,
                act, norm_eps, with_cp, widths=None):
    """``widths`` (optional, from pruning): one dict per block (see
    ``EfficientViTMIT``)."""
    kind = series['blocks'][index]
    expand_ratio = series['expand_ratios'][index]
    fewer_norm = series['fewer_norm'][index]
    down_kind = kind if kind in ('mb', 'fmb') else 'mb'
    widths = widths or [{}] * num_stage_blocks(series, index, depth)
    blocks = [ResidualBlock(
        local_block(down_kind, in_channels, out_channels, 2,
                    series['down_expand_ratios'][index], act, norm_eps,
                    fewer_norm=fewer_norm,
                    mid_channels=widths[0].get('hidden')),
        residual=False)]
    if kind == 'att':
        blocks += [EfficientViTMITBlock(out_channels, head_dim, expand_ratio,
                                        act, norm_eps, block_widths)
                   for block_widths in widths[1:]]
    else:
        blocks += [ResidualBlock(local_block(
            kind, out_channels, out_channels, 1, expand_ratio, act, norm_eps,
            fewer_norm=fewer_norm, mid_channels=block_widths.get('hidden')))
            for block_widths in widths[1:]]
    return Stage(blocks, with_cp=with_cp)


@MODELS.register_module()
class EfficientViTMIT(StagedBackbone):
    """MIT's EfficientViT backbone, returning the maps of its stages.

    Args:
        arch (str | dict): 'b0'..'b3', 'l0'..'l3', or a dict with ``series``
            ('b' or 'l'), ``widths`` and ``depths`` (five entries: the stem
            and stages 1-4, as MIT's ``width_list``/``depth_list``),
            ``head_dim`` (channels per attention head, MIT's ``dim``) and
            optionally ``block_widths``, as ``tools/analysis/prune.py``
            writes it: per stage, None or one dict per block (the stride-2
            block first) with the (F)MBConv's ``hidden`` channels and, in
            attention stages, ``qk_dims`` and ``value_dims`` per head of
            the LiteMLA (see ``LiteMLA``).
        in_channels (int): Input image channels. Defaults to 3.
        out_indices (Sequence[int]): Which of MIT's 'stage0' (the stem,
            stride 2) .. 'stage4' (stride 32) to output, negative allowed.
            Defaults to (1, 2, 3, 4): strides 4, 8, 16, 32.
        frozen_stages (int): -1 freezes nothing, 0 the stem, i > 0 also
            stages 1..i (no gradients, kept in eval mode). Defaults to -1.
        norm_eval (bool): Keep every BatchNorm in eval mode while training.
            Defaults to False.
        with_cp (bool): Activation checkpointing of the stem and of each
            block: less training memory, same outputs and gradients.
            Defaults to False.
        norm_eps (float, optional): BatchNorm eps. Defaults to the eps MIT's
            model zoo runs the series with: 1e-5 for B, 1e-7 for L.
        init_cfg (dict, optional): ``dict(type='Pretrained', checkpoint=PATH)``
            loads MIT's classification or segmentation file, timm's
            ``efficientvit_b*``/``efficientvit_l*`` weights, or an evit_dense
            checkpoint, recognised from its keys.
    """

    arch_zoo = {
        'b0': dict(series='b', widths=[8, 16, 32, 64, 128],
                   depths=[1, 2, 2, 2, 2], head_dim=16),
        'b1': dict(series='b', widths=[16, 32, 64, 128, 256],
                   depths=[1, 2, 3, 3, 4], head_dim=16),
        'b2': dict(series='b', widths=[24, 48, 96, 192, 384],
                   depths=[1, 3, 4, 4, 6], head_dim=32),
        'b3': dict(series='b', widths=[32, 64, 128, 256, 512],
                   depths=[1, 4, 6, 6, 9], head_dim=32),
        'l0': dict(series='l', widths=[32, 64, 128, 256, 512],
                   depths=[1, 1, 1, 4, 4], head_dim=32),
        'l1': dict(series='l', widths=[32, 64, 128, 256, 512],
                   depths=[1, 1, 1, 6, 6], head_dim=32),
        'l2': dict(series='l', widths=[32, 64, 128, 256, 512],
                   depths=[1, 2, 2, 8, 8], head_dim=32),
        'l3': dict(series='l', widths=[64, 128, 256, 512, 1024],
                   depths=[1, 2, 2, 8, 8], head_dim=32),
    }
    arch_keys = ('series', 'widths', 'depths', 'head_dim')
    optional_arch_keys = ('block_widths',)
    family_title = "MIT's EfficientViT (B/L series)"
    output_names = ('stem', *(f'stage {i}' for i in range(1, NUM_STAGES + 1)))
    checkpoint_format = mit_checkpoint

    def __init__(self, arch='b1', in_channels=3, out_indices=(1, 2, 3, 4),
                 frozen_stages=-1, norm_eval=False, with_cp=False,
                 norm_eps=None, init_cfg=None):
        super().__init__(out_indices, frozen_stages, norm_eval, with_cp,
                         init_cfg)
        self.arch_settings = self.parse_arch(arch)

        settings = self.arch_settings
        series = SERIES[settings['series']]
        act = series['act']
        norm_eps = series['norm_eps'] if norm_eps is None else norm_eps
        widths, depths = settings['widths'], settings['depths']
        self.output_channels = list(widths)
        self.output_strides = [2 ** (i + 1) for i in range(NUM_STAGES + 1)]
        self.stem = Stem(in_channels, widths[0], depths[0],
                         series['stem_block'], act, norm_eps)
        block_widths = settings.get('block_widths') or [None] * NUM_STAGES
        self.stages = nn.ModuleList(
            build_stage(series, i, widths[i], widths[i + 1], depths[i + 1],
                        settings['head_dim'], act, norm_eps, with_cp,
                        block_widths[i])
            for i in range(NUM_STAGES))
        self._freeze_stages()

    @classmethod
    def complete_arch(cls, settings):
        if settings['series'] not in SERIES:
            raise ValueError(f'arch series must be one of {sorted(SERIES)}, '
                             f'got {settings["series"]!r}')
        for key in ('widths', 'depths'):
            if len(settings[key]) != NUM_STAGES + 1:
                raise ValueError(f'arch {key} needs {NUM_STAGES + 1} entries '
                                 f'(stem and 4 stages), got {settings[key]}')
        for width in settings['widths'][3:]:
            if width % settings['head_dim']:
                raise ValueError(f'attention width {width} is not divisible '
                                 f'by head_dim {settings["head_dim"]}')
        cls._check_block_widths(settings)
        return settings

    @staticmethod
    def _check_block_widths(settings):
        block_widths = settings.get('block_widths')
        if block_widths is None:
            return
        if len(block_widths) != NUM_STAGES:
            raise ValueError(f'arch block_widths needs {NUM_STAGES} entries '
                             f'(None or a list per stage), got {block_widths}')
        series = SERIES[settings['series']]
        for i, stage in enumerate(block_widths):
            if stage is None:
                continue
            expected = num_stage_blocks(series, i, settings['depths'][i + 1])
            if len(stage) != expected:
                raise ValueError(f'arch block_widths[{i}] has {len(stage)} '
                                 f'blocks, stage {i + 1} has {expected} (its '
                                 'stride-2 block first)')
            for j, block in enumerate(stage):
                keys = ({'qk_dims', 'value_dims', 'hidden'}
                        if series['blocks'][i] == 'att' and j > 0
                        else {'hidden'})
                if set(block) != keys:
                    raise ValueError(f'arch block_widths[{i}][{j}] needs the '
                                     f'keys {sorted(keys)}, got {block}')

    def _check_fits(self, state_dict, prefix):
        problems = state_dict_problems(state_dict, self.state_dict())
        if problems:
            found = identify_arch(state_dict)
            raise CheckpointMismatchError(
                f'The checkpoint\'s {prefix or "backbone"!r} weights do not fit '
                f'this EfficientViTMIT {describe_arch(self.arch_settings)}: '
                f'they are {"those of arch " + repr(found) if found else "of no known arch"}'
                f' ({"; ".join(problems)}).')

    def switch_to_deploy(self):
        """Rewrite for inference: fold every BatchNorm into its conv, run
        activations in place and add residuals in place (without autograd).

        Outputs in eval mode are unchanged; calling it twice is harmless.
        """
        for module in self.modules():
            if isinstance(module, (ConvNormAct, ResidualBlock)):
                module.switch_to_deploy()

    def forward(self, x):
        x = run_checkpointed(self.stem, x, self.with_cp and self.training)
        outs = [x] if 0 in self.out_indices else []
        for i, stage in enumerate(self.stages, 1):
            x = stage(x)
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)


@lru_cache(maxsize=None)
def _zoo_signatures():
    """Key and shape set of each zoo arch, built without memory."""
    signatures = {}
    with torch.device('meta'):
        for arch in EfficientViTMIT.arch_zoo:
            state = EfficientViTMIT(arch=arch).state_dict()
            signatures[arch] = frozenset(
                (k, tuple(v.shape)) for k, v in state.items()
                if not k.endswith('num_batches_tracked'))
    return signatures


def identify_arch(state_dict):
    """The zoo arch whose weights ``state_dict`` holds, or None."""
    signature = frozenset((k, tuple(v.shape)) for k, v in state_dict.items()
                          if not k.endswith('num_batches_tracked'))
    return next((arch for arch, zoo in _zoo_signatures().items()
                 if zoo == signature), None)


def describe_arch(settings):
    zoo_name = next((name for name, zoo in EfficientViTMIT.arch_zoo.items()
                     if zoo == settings), None)
    return f'arch {zoo_name!r}' if zoo_name else f'custom arch {settings}'
