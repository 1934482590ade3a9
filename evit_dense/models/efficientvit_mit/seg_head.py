"""MIT's EfficientViT segmentation head (``SegHead`` of mit-han-lab/
efficientvit ``efficientvit/models/efficientvit/seg.py``) as an mmseg decode
head, so that MIT's released EfficientViT-Seg models run in mmseg whole.

Each input gets a 1x1 conv + BatchNorm and is upsampled (bicubic) to the
finest input's size (stride 8 in MIT's models); the maps are added, refined
by residual MBConv or FusedMBConv blocks, optionally widened by a 1x1 conv,
and classified.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.models.decode_heads.decode_head import BaseDecodeHead

from ...registry import MODELS
from .layers import ConvNormAct, FusedMBConv, MBConv, ResidualBlock


@MODELS.register_module()
class EfficientViTMITSegHead(BaseDecodeHead):
    """MIT's EfficientViT-Seg head.

    Args:
        in_channels (list[int]): Channels of the selected inputs.
        channels (int): Width of the head (MIT's ``head_width``).
        num_blocks (int): Residual blocks after the sum (``head_depth``).
        block_type (str): 'mbconv' or 'fmbconv' (``middle_op``).
        expand_ratio (float): Expansion of those blocks.
        final_expand (int, optional): Widen to ``channels * final_expand``
            with a 1x1 conv before the classifier; None for no such conv.
        act (str): Activation, 'hswish' (B models) or 'gelu' (L models).
        norm_eps (float): BatchNorm eps: 1e-5 for B, 1e-7 for L models as
            MIT's model zoo runs them.
        **kwargs: ``BaseDecodeHead`` arguments (``num_classes``,
            ``in_index``, ``dropout_ratio``, ``loss_decode``...).
    """

    def __init__(self, in_channels, channels, num_blocks=3,
                 block_type='mbconv', expand_ratio=4, final_expand=None,
                 act='hswish', norm_eps=1e-5, **kwargs):
        super().__init__(in_channels, channels,
                         input_transform='multiple_select', **kwargs)
        self.lateral_convs = nn.ModuleList(
            ConvNormAct(in_channel, channels, 1, norm_eps=norm_eps)
            for in_channel in self.in_channels)
        if block_type == 'mbconv':
            def block():
                return MBConv(channels, channels, expand_ratio=expand_ratio,
                              norm_eps=norm_eps, act=(act, act, None))
        elif block_type == 'fmbconv':
            def block():
                return FusedMBConv(channels, channels,
                                   expand_ratio=expand_ratio,
                                   norm_eps=norm_eps, act=(act, None))
        else:
            raise ValueError(f"block_type must be 'mbconv' or 'fmbconv', "
                             f'got {block_type!r}')
        self.blocks = nn.Sequential(
            *(ResidualBlock(block()) for _ in range(num_blocks)))
        if final_expand is None:
            self.expand_conv = None
        else:
            self.expand_conv = ConvNormAct(channels, channels * final_expand, 1,
                                           norm_eps=norm_eps, act=act)
            self.conv_seg = nn.Conv2d(channels * final_expand,
                                      self.out_channels, 1)

    @staticmethod
    def upsample(x, size):
        if x.shape[-2:] == size:
            return x
        # Bicubic in float32, as MIT's UpSampleLayer, whatever autocast asks.
        with torch.autocast(device_type=x.device.type, enabled=False):
            return F.interpolate(x.float(), size=size, mode='bicubic',
                                 align_corners=False)

    def forward(self, inputs):
        inputs = self._transform_inputs(inputs)
        size = max((x.shape[-2:] for x in inputs), key=lambda hw: hw.numel())
        # Summed from the coarsest input, in MIT's order.
        feat = sum(self.upsample(conv(x), size) for conv, x in
                   reversed(list(zip(self.lateral_convs, inputs))))
        feat = self.blocks(feat)
        if self.expand_conv is not None:
            feat = self.expand_conv(feat)
        return self.cls_seg(feat)

    def switch_to_deploy(self):
        """Fold every BatchNorm into its conv; eval outputs are unchanged."""
        for module in self.modules():
            if isinstance(module, ConvNormAct):
                module.fuse_norm()
