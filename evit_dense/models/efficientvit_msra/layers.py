"""Building blocks of EfficientViT (Liu et al., CVPR 2023).

Module and parameter names follow timm's ``efficientvit_msra`` so that timm
state dicts load without renaming; ``checkpoint.py`` maps the official names.
"""
import torch
import torch.nn as nn


def make_divisible(value, divisor=8):
    """Round ``value`` to a multiple of ``divisor`` that is at least ``divisor``
    (timm's rule for squeeze-excite widths)."""
    return max(divisor, int(value + divisor / 2) // divisor * divisor)


class ConvNorm(nn.Sequential):
    """Conv2d without bias followed by BatchNorm2d.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        kernel_size (int): Convolution kernel size. Defaults to 1.
        stride (int): Convolution stride. Defaults to 1.
        padding (int): Zero padding. Defaults to 0.
        groups (int): Convolution groups. Defaults to 1.
        bn_weight_init (float): Initial BatchNorm scale; 0 makes a residual
            branch start as identity. Defaults to 1.
    """

    def __init__(self, in_channels, out_channels, kernel_size=1, stride=1,
                 padding=0, groups=1, bn_weight_init=1.):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride,
                              padding, groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(out_channels)
        nn.init.constant_(self.bn.weight, bn_weight_init)
        nn.init.zeros_(self.bn.bias)

    @torch.no_grad()
    def fuse(self):
        """Return one Conv2d with bias that computes this module in eval mode."""
        conv, bn = self.conv, self.bn
        scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
        fused = nn.Conv2d(conv.in_channels, conv.out_channels,
                          conv.kernel_size, conv.stride, conv.padding,
                          groups=conv.groups, bias=True,
                          device=conv.weight.device, dtype=conv.weight.dtype)
        fused.weight.copy_(conv.weight * scale[:, None, None, None])
        fused.bias.copy_(bn.bias - bn.running_mean * scale)
        return fused


class Residual(nn.Module):
    """``x + m(x)``; the wrapped module is called ``m`` as in both references."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, x):
        return x + self.m(x)

    @torch.no_grad()
    def fuse(self):
        """Return one conv computing ``x + m(x)`` when ``m`` is a fused
        (BatchNorm-folded) depthwise conv: the identity is a 1 at the centre
        of each kernel. Other branches stay residual (returns ``self``)."""
        conv = self.m
        if not (isinstance(conv, nn.Conv2d) and conv.bias is not None
                and conv.groups == conv.in_channels == conv.out_channels
                and conv.stride == (1, 1)
                and conv.padding == tuple(k // 2 for k in conv.kernel_size)):
            return self
        centre_y, centre_x = (k // 2 for k in conv.kernel_size)
        conv.weight[:, 0, centre_y, centre_x] += 1
        return conv


class ConvMlp(nn.Module):
    """The feed-forward layer: 1x1 expand, ReLU, 1x1 project."""

    def __init__(self, channels, hidden_channels):
        super().__init__()
        self.pw1 = ConvNorm(channels, hidden_channels)
        self.act = nn.ReLU()
        self.pw2 = ConvNorm(hidden_channels, channels, bn_weight_init=0.)

    def forward(self, x):
        return self.pw2(self.act(self.pw1(x)))


def depthwise_residual(channels, bn_weight_init=1.):
    """A residual 3x3 depthwise conv: the token interaction of a sandwich."""
    return Residual(ConvNorm(channels, channels, 3, 1, 1, groups=channels,
                             bn_weight_init=bn_weight_init))


def ffn_residual(channels, hidden_channels=None):
    """A residual feed-forward layer; expansion ratio 2 unless
    ``hidden_channels`` (a pruned width) says otherwise."""
    return Residual(ConvMlp(channels, hidden_channels or channels * 2))


class SqueezeExcite(nn.Module):
    """Channel attention: global pool, 1x1 reduce, ReLU, 1x1 expand, sigmoid."""

    def __init__(self, channels, rd_ratio=0.25):
        super().__init__()
        rd_channels = make_divisible(channels * rd_ratio)
        self.fc1 = nn.Conv2d(channels, rd_channels, 1)
        self.act = nn.ReLU()
        self.fc2 = nn.Conv2d(rd_channels, channels, 1)

    def forward(self, x):
        scale = self.fc2(self.act(self.fc1(x.mean((2, 3), keepdim=True))))
        return x * scale.sigmoid()


class PatchMerging(nn.Module):
    """Stride-2 downsampling: an inverted residual (x4) with squeeze-excite."""

    def __init__(self, in_channels, out_channels):
        super().__init__()
        hidden_channels = in_channels * 4
        self.conv1 = ConvNorm(in_channels, hidden_channels)
        self.act = nn.ReLU()
        self.conv2 = ConvNorm(hidden_channels, hidden_channels, 3, 2, 1,
                              groups=hidden_channels)
        self.se = SqueezeExcite(hidden_channels)
        self.conv3 = ConvNorm(hidden_channels, out_channels)

    def forward(self, x):
        x = self.act(self.conv2(self.act(self.conv1(x))))
        return self.conv3(self.se(x))


class PatchEmbedding(nn.Sequential):
    """Four stride-2 3x3 ConvNorms: the stride-16 stem."""

    def __init__(self, in_channels, embed_dim):
        super().__init__()
        widths = [in_channels, embed_dim // 8, embed_dim // 4, embed_dim // 2,
                  embed_dim]
        for i in range(4):
            if i > 0:
                self.add_module(f'relu{i}', nn.ReLU())
            self.add_module(f'conv{i + 1}',
                            ConvNorm(widths[i], widths[i + 1], 3, 2, 1))
