"""EfficientViT backbone for dense prediction.

Paper: "EfficientViT: Memory Efficient Vision Transformer with Cascaded Group
Attention", Liu et al., CVPR 2023. Reference code: microsoft/Cream
(``EfficientViT/classification`` and ``EfficientViT/downstream``) and timm's
``efficientvit_msra.py``, whose parameter names this module keeps.

Example:
    >>> import torch
    >>> from evit_dense.models import EfficientViT
    >>> model = EfficientViT(arch='m4').eval()
    >>> for level in model(torch.rand(1, 3, 224, 320)):
    ...     print(tuple(level.shape))
    (1, 128, 14, 20)
    (1, 256, 7, 10)
    (1, 384, 4, 5)
"""
from collections import OrderedDict

import torch
import torch.nn as nn

from ...registry import MODELS
from ..common.backbone import StagedBackbone, run_checkpointed
from ..common.checkpoint import (CheckpointMismatchError,
                                 state_dict_mismatches)
from . import checkpoint as msra_checkpoint
from .attention import CascadedGroupAttention, LocalWindowAttention
from .layers import (ConvNorm, PatchEmbedding, PatchMerging, Residual,
                     depthwise_residual, ffn_residual)

NUM_STAGES = 3
PATCH_STRIDE = 16


class EfficientViTBlock(nn.Module):
    """The sandwich block: (depthwise conv, FFN), attention, (depthwise conv,
    FFN), each residual. One memory-bound attention layer between cheap FFNs.

    ``widths`` (optional, from pruning): ``dict(qk_dims=[per head],
    value_dims=[per head], ffn_hidden=[ffn0, ffn1])``.
    """

    def __init__(self, dim, key_dim, num_heads, window_size, kernels,
                 widths=None):
        super().__init__()
        widths = widths or {}
        ffn_hidden = widths.get('ffn_hidden', [None, None])
        self.dw0 = depthwise_residual(dim, bn_weight_init=0.)
        self.ffn0 = ffn_residual(dim, ffn_hidden[0])
        self.mixer = Residual(LocalWindowAttention(
            dim, key_dim, num_heads, window_size, kernels,
            widths.get('qk_dims'), widths.get('value_dims')))
        self.dw1 = depthwise_residual(dim, bn_weight_init=0.)
        self.ffn1 = ffn_residual(dim, ffn_hidden[1])

    def forward(self, x):
        return self.ffn1(self.dw1(self.mixer(self.ffn0(self.dw0(x)))))


class EfficientViTStage(nn.Module):
    """Optional stride-2 downsampling (a sandwich around patch merging), then
    ``depth`` EfficientViT blocks.

    ``widths`` (optional, from pruning): ``dict(downsample_ffn_hidden=[res1,
    res2], blocks=[block widths, one per block])``.
    """

    def __init__(self, in_dim, out_dim, key_dim, num_heads, depth, window_size,
                 kernels, downsample, with_cp=False, widths=None):
        super().__init__()
        widths = widths or {}
        if downsample:
            ffn_hidden = widths.get('downsample_ffn_hidden') or [None, None]
            self.downsample = nn.Sequential(OrderedDict(
                res1=nn.Sequential(depthwise_residual(in_dim),
                                   ffn_residual(in_dim, ffn_hidden[0])),
                patchmerge=PatchMerging(in_dim, out_dim),
                res2=nn.Sequential(depthwise_residual(out_dim),
                                   ffn_residual(out_dim, ffn_hidden[1]))))
        else:
            self.downsample = nn.Identity()
        block_widths = widths.get('blocks') or [None] * depth
        self.blocks = nn.Sequential(*[
            EfficientViTBlock(out_dim, key_dim, num_heads, window_size, kernels,
                              block_widths[i])
            for i in range(depth)])
        self.with_cp = with_cp

    def forward(self, x):
        for layer in (self.downsample, *self.blocks):
            x = run_checkpointed(layer, x, self.with_cp and self.training)
        return x


@MODELS.register_module()
class EfficientViT(StagedBackbone):
    """EfficientViT backbone returning the maps of its three stages.

    Args:
        arch (str | dict): 'm0'..'m5' (the geometry of the ImageNet
            checkpoints) or a dict with keys ``embed_dims``, ``depths``,
            ``num_heads``, ``window_sizes`` (three entries each), ``kernels``
            (query kernel per head) and optionally ``key_dims`` and
            ``block_widths``: per stage, the pruned widths of its blocks
            (see ``EfficientViTStage``), as ``tools/analysis/prune.py``
            writes them.
        in_channels (int): Input image channels. Defaults to 3.
        out_indices (Sequence[int]): Stages to output, negative allowed.
            Defaults to (0, 1, 2): strides 16, 32 and 64.
        frozen_stages (int): -1 freezes nothing, 0 the patch embedding, i > 0
            also stages 1..i (no gradients, kept in eval mode). Defaults to -1.
        norm_eval (bool): Keep every BatchNorm in eval mode while training.
            Defaults to False.
        with_cp (bool): Activation checkpointing of the patch embedding and
            of each block: less training memory, same outputs and gradients.
            Defaults to False.
        init_cfg (dict, optional): ``dict(type='Pretrained', checkpoint=PATH)``
            loads an official, timm, mmdet 2.x detector or evit_dense
            checkpoint, recognised from its keys.
    """

    arch_zoo = {
        'm0': dict(embed_dims=[64, 128, 192], depths=[1, 2, 3],
                   num_heads=[4, 4, 4], window_sizes=[7, 7, 7],
                   kernels=[5, 5, 5, 5]),
        'm1': dict(embed_dims=[128, 144, 192], depths=[1, 2, 3],
                   num_heads=[2, 3, 3], window_sizes=[7, 7, 7],
                   kernels=[7, 5, 3, 3]),
        'm2': dict(embed_dims=[128, 192, 224], depths=[1, 2, 3],
                   num_heads=[4, 3, 2], window_sizes=[7, 7, 7],
                   kernels=[7, 5, 3, 3]),
        'm3': dict(embed_dims=[128, 240, 320], depths=[1, 2, 3],
                   num_heads=[4, 3, 4], window_sizes=[7, 7, 7],
                   kernels=[5, 5, 5, 5]),
        'm4': dict(embed_dims=[128, 256, 384], depths=[1, 2, 3],
                   num_heads=[4, 4, 4], window_sizes=[7, 7, 7],
                   kernels=[7, 5, 3, 3]),
        'm5': dict(embed_dims=[192, 288, 384], depths=[1, 3, 4],
                   num_heads=[3, 3, 4], window_sizes=[7, 7, 7],
                   kernels=[7, 5, 3, 3]),
    }
    default_key_dims = [16, 16, 16]
    per_stage_keys = ('embed_dims', 'depths', 'num_heads', 'window_sizes')
    arch_keys = (*per_stage_keys, 'kernels')
    optional_arch_keys = ('key_dims', 'block_widths')
    family_title = 'the cascaded-group-attention EfficientViT (M0-M5)'
    stem_name = 'patch_embed'
    output_names = tuple(f'stage {i + 1}' for i in range(NUM_STAGES))
    checkpoint_format = msra_checkpoint

    def __init__(self, arch='m0', in_channels=3, out_indices=(0, 1, 2),
                 frozen_stages=-1, norm_eval=False, with_cp=False,
                 init_cfg=None):
        super().__init__(out_indices, frozen_stages, norm_eval, with_cp,
                         init_cfg)
        self.arch_settings = self.parse_arch(arch)
        self.deploy = False

        settings = self.arch_settings
        dims = settings['embed_dims']
        self.output_channels = list(dims)
        self.output_strides = [PATCH_STRIDE * 2 ** i
                               for i in range(NUM_STAGES)]
        self.patch_embed = PatchEmbedding(in_channels, dims[0])
        self.stages = nn.ModuleList(
            EfficientViTStage(
                in_dim=dims[max(i - 1, 0)], out_dim=dims[i],
                key_dim=settings['key_dims'][i],
                num_heads=settings['num_heads'][i],
                depth=settings['depths'][i],
                window_size=settings['window_sizes'][i],
                kernels=settings['kernels'], downsample=i > 0, with_cp=with_cp,
                widths=settings['block_widths'][i])
            for i in range(NUM_STAGES))
        self._freeze_stages()

    @classmethod
    def complete_arch(cls, settings):
        settings.setdefault('key_dims', cls.default_key_dims)
        settings.setdefault('block_widths', [None] * NUM_STAGES)
        for key in (*cls.per_stage_keys, 'key_dims', 'block_widths'):
            if len(settings[key]) != NUM_STAGES:
                raise ValueError(f'arch {key} needs {NUM_STAGES} entries, '
                                 f'got {settings[key]}')
        for dim, heads in zip(settings['embed_dims'], settings['num_heads']):
            if dim % heads:
                raise ValueError(f'embed dim {dim} is not divisible by '
                                 f'{heads} heads')
        if len(settings['kernels']) < max(settings['num_heads']):
            raise ValueError(f'arch kernels {settings["kernels"]} needs one '
                             f'kernel per head ({max(settings["num_heads"])})')
        for i, widths in enumerate(settings['block_widths']):
            blocks = (widths or {}).get('blocks') or []
            heads = settings['num_heads'][i]
            if blocks and len(blocks) != settings['depths'][i]:
                raise ValueError(f'arch block_widths[{i}] has {len(blocks)} '
                                 f'blocks, stage {i} has '
                                 f'{settings["depths"][i]}')
            for block in blocks:
                if not (len(block['qk_dims']) == len(block['value_dims'])
                        == heads and any(block['value_dims'])):
                    raise ValueError(
                        f'arch block_widths[{i}]: every block needs qk_dims '
                        f'and value_dims for its {heads} heads, and one head '
                        f'with value channels; got {block}')
        return settings

    def _check_fits(self, state_dict, prefix):
        model_state = self.state_dict()
        msra_checkpoint.resize_attention_biases(state_dict, model_state)
        # Missing and unexpected keys are logged by load_pretrained, as
        # MMEngine's non-strict loading does; other shapes are another arch.
        _, _, wrong_shapes = state_dict_mismatches(state_dict, model_state)
        if wrong_shapes:
            raise CheckpointMismatchError(
                f'The checkpoint does not fit this EfficientViT: '
                f'{len(wrong_shapes)} tensors differ in shape (another '
                'arch?), e.g. ' + '; '.join(wrong_shapes[:3]))
        if not set(state_dict) & set(model_state):
            raise CheckpointMismatchError(
                'The checkpoint shares no parameter with this EfficientViT.')

    def switch_to_deploy(self):
        """Rewrite for inference: fold every BatchNorm into its conv and the
        identity of residual depthwise convs into their kernels, cache the
        attention biases, run channels-last, run ReLUs in place.

        Outputs in eval mode are unchanged; calling it twice is harmless.
        """
        for module in list(self.modules()):
            if isinstance(module, CascadedGroupAttention):
                module.switch_to_deploy()
        # BatchNorms first: residual depthwise convs fold once they are plain.
        for fusable in (ConvNorm, Residual):
            for name, module in list(self.named_modules()):
                if isinstance(module, fusable):
                    parent_name, _, child = name.rpartition('.')
                    setattr(self.get_submodule(parent_name), child,
                            module.fuse())
        # Measured faster with tools/benchmark.py: oneDNN convs on NHWC (the
        # 3-channel first conv most of all), and ReLUs that reuse their
        # input's memory, which inference no longer needs.
        self.to(memory_format=torch.channels_last)
        for module in self.modules():
            if isinstance(module, nn.ReLU):
                module.inplace = True
        self.deploy = True

    def forward(self, x):
        if self.deploy:
            x = x.contiguous(memory_format=torch.channels_last)
        # The stride-2..8 stem maps are the backbone's largest.
        x = run_checkpointed(self.patch_embed, x,
                             self.with_cp and self.training)
        outs = []
        for i, stage in enumerate(self.stages):
            x = stage(x)
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)
