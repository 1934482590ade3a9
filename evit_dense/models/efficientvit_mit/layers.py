"""Convolutional building blocks of MIT's EfficientViT (Cai et al., ICCV 2023).

Each mirrors a class of MIT's ``efficientvit/models/nn/ops.py`` with timm's
``efficientvit_mit`` module names (``conv``/``norm``, ``main``/``shortcut``,
``inverted_conv``/``depth_conv``/``point_conv``...), which are also MIT's, so
that a state dict of either loads with only its outer prefixes renamed.
"""
from functools import partial

import torch
import torch.nn as nn

ACTIVATIONS = {
    'relu': nn.ReLU,
    'relu6': nn.ReLU6,
    'hswish': nn.Hardswish,
    # MIT's 'gelu' is the tanh approximation.
    'gelu': partial(nn.GELU, approximate='tanh'),
}


def build_activation(name):
    if name is None:
        return None
    if name not in ACTIVATIONS:
        raise KeyError(f'Unknown activation {name!r}; valid: '
                       f'{sorted(ACTIVATIONS)} or None')
    return ACTIVATIONS[name]()


def per_layer(value, count):
    """A value for each of ``count`` layers: a tuple as is, else repeated."""
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * count


class ConvNormAct(nn.Module):
    """Conv2d ('same' padding), optional BatchNorm, optional activation.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        kernel_size (int): Odd kernel size. Defaults to 3.
        stride (int): Defaults to 1.
        groups (int): Defaults to 1.
        bias (bool): Conv bias. Defaults to False.
        norm (bool): Follow the conv by BatchNorm. Defaults to True.
        norm_eps (float): BatchNorm eps. Defaults to 1e-5.
        act (str, optional): Activation name (see ``ACTIVATIONS``).
    """

    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1,
                 groups=1, bias=False, norm=True, norm_eps=1e-5, act=None):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride,
                              kernel_size // 2, groups=groups, bias=bias)
        self.norm = nn.BatchNorm2d(out_channels, eps=norm_eps) if norm else None
        self.act = build_activation(act)

    def forward(self, x):
        x = self.conv(x)
        if self.norm is not None:
            x = self.norm(x)
        if self.act is not None:
            x = self.act(x)
        return x

    @torch.no_grad()
    def fuse_norm(self):
        """Fold the BatchNorm into the conv (eval-mode statistics); the
        module then computes the same in eval mode with one conv."""
        if self.norm is None:
            return
        conv, norm = self.conv, self.norm
        scale = norm.weight / torch.sqrt(norm.running_var + norm.eps)
        bias = conv.bias if conv.bias is not None else torch.zeros_like(scale)
        fused = nn.Conv2d(conv.in_channels, conv.out_channels,
                          conv.kernel_size, conv.stride, conv.padding,
                          groups=conv.groups, bias=True,
                          device=conv.weight.device, dtype=conv.weight.dtype)
        fused.weight.copy_(conv.weight * scale[:, None, None, None])
        fused.bias.copy_((bias - norm.running_mean) * scale + norm.bias)
        self.conv, self.norm = fused, None

    def switch_to_deploy(self):
        """Fold the BatchNorm, and run the activation in place on the
        conv's output (a new tensor of no other use): one map fewer."""
        self.fuse_norm()
        if hasattr(self.act, 'inplace'):
            self.act.inplace = True


class DSConv(nn.Module):
    """Depthwise-separable conv: the B series' stem block."""

    def __init__(self, in_channels, out_channels, stride=1, bias=False,
                 norm=True, norm_eps=1e-5, act=('relu6', None)):
        super().__init__()
        bias, norm, act = per_layer(bias, 2), per_layer(norm, 2), per_layer(act, 2)
        self.depth_conv = ConvNormAct(in_channels, in_channels, 3, stride,
                                      groups=in_channels, bias=bias[0],
                                      norm=norm[0], norm_eps=norm_eps,
                                      act=act[0])
        self.point_conv = ConvNormAct(in_channels, out_channels, 1,
                                      bias=bias[1], norm=norm[1],
                                      norm_eps=norm_eps, act=act[1])

    def forward(self, x):
        return self.point_conv(self.depth_conv(x))


class ConvBlock(nn.Module):
    """Two 3x3 convs (MIT's ``ResBlock``): the L series' stem block."""

    def __init__(self, in_channels, out_channels, stride=1, expand_ratio=1,
                 bias=False, norm=True, norm_eps=1e-5, act=('relu6', None)):
        super().__init__()
        bias, norm, act = per_layer(bias, 2), per_layer(norm, 2), per_layer(act, 2)
        mid_channels = round(in_channels * expand_ratio)
        self.conv1 = ConvNormAct(in_channels, mid_channels, 3, stride,
                                 bias=bias[0], norm=norm[0], norm_eps=norm_eps,
                                 act=act[0])
        self.conv2 = ConvNormAct(mid_channels, out_channels, 3, bias=bias[1],
                                 norm=norm[1], norm_eps=norm_eps, act=act[1])

    def forward(self, x):
        return self.conv2(self.conv1(x))


class MBConv(nn.Module):
    """Inverted residual: 1x1 expand, 3x3 depthwise (carries the stride),
    1x1 project. ``mid_channels`` (from pruning) overrides the expansion."""

    def __init__(self, in_channels, out_channels, stride=1, expand_ratio=6,
                 bias=False, norm=True, norm_eps=1e-5,
                 act=('relu6', 'relu6', None), mid_channels=None):
        super().__init__()
        bias, norm, act = per_layer(bias, 3), per_layer(norm, 3), per_layer(act, 3)
        mid_channels = mid_channels or round(in_channels * expand_ratio)
        self.inverted_conv = ConvNormAct(in_channels, mid_channels, 1,
                                         bias=bias[0], norm=norm[0],
                                         norm_eps=norm_eps, act=act[0])
        self.depth_conv = ConvNormAct(mid_channels, mid_channels, 3, stride,
                                      groups=mid_channels, bias=bias[1],
                                      norm=norm[1], norm_eps=norm_eps,
                                      act=act[1])
        self.point_conv = ConvNormAct(mid_channels, out_channels, 1,
                                      bias=bias[2], norm=norm[2],
                                      norm_eps=norm_eps, act=act[2])

    def forward(self, x):
        return self.point_conv(self.depth_conv(self.inverted_conv(x)))


class FusedMBConv(nn.Module):
    """MBConv with expansion and depthwise conv fused into one 3x3 conv.
    ``mid_channels`` (from pruning) overrides the expansion."""

    def __init__(self, in_channels, out_channels, stride=1, expand_ratio=6,
                 bias=False, norm=True, norm_eps=1e-5, act=('relu6', None),
                 mid_channels=None):
        super().__init__()
        bias, norm, act = per_layer(bias, 2), per_layer(norm, 2), per_layer(act, 2)
        mid_channels = mid_channels or round(in_channels * expand_ratio)
        self.spatial_conv = ConvNormAct(in_channels, mid_channels, 3, stride,
                                        bias=bias[0], norm=norm[0],
                                        norm_eps=norm_eps, act=act[0])
        self.point_conv = ConvNormAct(mid_channels, out_channels, 1,
                                      bias=bias[1], norm=norm[1],
                                      norm_eps=norm_eps, act=act[1])

    def forward(self, x):
        return self.point_conv(self.spatial_conv(x))


class ResidualBlock(nn.Module):
    """``main(x) + x``, or ``main(x)`` alone when ``residual`` is False (the
    stride-2 block that opens each stage)."""

    def __init__(self, main, residual=True):
        super().__init__()
        self.main = main
        self.shortcut = nn.Identity() if residual else None
        self.add_in_place = False  # deploy form, see switch_to_deploy

    def forward(self, x):
        if self.shortcut is None:
            return self.main(x)
        out = self.main(x)
        if self.add_in_place and not torch.is_grad_enabled():
            return out.add_(self.shortcut(x))  # out: a new map, no other use
        return out + self.shortcut(x)

    def switch_to_deploy(self):
        """Add the shortcut into the main branch's output in place when no
        gradient is recorded (inference)."""
        self.add_in_place = True
