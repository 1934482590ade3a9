"""The official EfficientViT downstream backbone, kept as a speed reference.

A copy of the forward computation of ``EfficientViT/downstream/efficientvit.py``
in microsoft/Cream (MIT License, Copyright (c) Microsoft Corporation), with
its module names, so that official checkpoints load with ``strict=True``.
Left out, because they do not run in an eval forward: pretrained loading,
frozen stages, drop path, and the classification head. timm's
``SqueezeExcite`` is inlined so that timm is not needed.

``evit_dense.benchmark`` times it (the ``:official`` row of
``tools/benchmark.py``) beside ``evit_dense``'s backbone; the tests check
that it reproduces the official outputs stored in the fixtures. It is not
part of the package: see SOURCE beside this file.
"""
import itertools

import torch
import torch.nn as nn


class Conv2d_BN(nn.Sequential):

    def __init__(self, a, b, ks=1, stride=1, pad=0, groups=1,
                 bn_weight_init=1):
        super().__init__()
        self.add_module('c', nn.Conv2d(a, b, ks, stride, pad, 1, groups,
                                       bias=False))
        self.add_module('bn', nn.BatchNorm2d(b))
        nn.init.constant_(self.bn.weight, bn_weight_init)
        nn.init.constant_(self.bn.bias, 0)


class SqueezeExcite(nn.Module):
    """timm's ``SqueezeExcite`` (``SEModule``) with ``rd_ratio=0.25``."""

    def __init__(self, channels, rd_ratio=0.25, divisor=8):
        super().__init__()
        rd_channels = max(divisor, int(channels * rd_ratio + divisor / 2)
                          // divisor * divisor)
        self.fc1 = nn.Conv2d(channels, rd_channels, 1)
        self.bn = nn.Identity()
        self.act = nn.ReLU(inplace=True)
        self.fc2 = nn.Conv2d(rd_channels, channels, 1)
        self.gate = nn.Sigmoid()

    def forward(self, x):
        x_se = x.mean((2, 3), keepdim=True)
        x_se = self.fc1(x_se)
        x_se = self.act(self.bn(x_se))
        x_se = self.fc2(x_se)
        return x * self.gate(x_se)


class PatchMerging(nn.Module):

    def __init__(self, dim, out_dim):
        super().__init__()
        hid_dim = int(dim * 4)
        self.conv1 = Conv2d_BN(dim, hid_dim, 1, 1, 0)
        self.act = nn.ReLU()
        self.conv2 = Conv2d_BN(hid_dim, hid_dim, 3, 2, 1, groups=hid_dim)
        self.se = SqueezeExcite(hid_dim, .25)
        self.conv3 = Conv2d_BN(hid_dim, out_dim, 1, 1, 0)

    def forward(self, x):
        x = self.conv3(self.se(self.act(self.conv2(self.act(self.conv1(x))))))
        return x


class Residual(nn.Module):

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, x):
        return x + self.m(x)


class FFN(nn.Module):

    def __init__(self, ed, h):
        super().__init__()
        self.pw1 = Conv2d_BN(ed, h)
        self.act = nn.ReLU()
        self.pw2 = Conv2d_BN(h, ed, bn_weight_init=0)

    def forward(self, x):
        x = self.pw2(self.act(self.pw1(x)))
        return x


class CascadedGroupAttention(nn.Module):

    def __init__(self, dim, key_dim, num_heads=8, attn_ratio=4, resolution=14,
                 kernels=[5, 5, 5, 5]):
        super().__init__()
        self.num_heads = num_heads
        self.scale = key_dim ** -0.5
        self.key_dim = key_dim
        self.d = int(attn_ratio * key_dim)
        self.attn_ratio = attn_ratio

        qkvs = []
        dws = []
        for i in range(num_heads):
            qkvs.append(Conv2d_BN(dim // (num_heads),
                                  self.key_dim * 2 + self.d))
            dws.append(Conv2d_BN(self.key_dim, self.key_dim, kernels[i], 1,
                                 kernels[i] // 2, groups=self.key_dim))
        self.qkvs = nn.ModuleList(qkvs)
        self.dws = nn.ModuleList(dws)
        self.proj = nn.Sequential(nn.ReLU(), Conv2d_BN(
            self.d * num_heads, dim, bn_weight_init=0))

        points = list(itertools.product(range(resolution), range(resolution)))
        N = len(points)
        attention_offsets = {}
        idxs = []
        for p1 in points:
            for p2 in points:
                offset = (abs(p1[0] - p2[0]), abs(p1[1] - p2[1]))
                if offset not in attention_offsets:
                    attention_offsets[offset] = len(attention_offsets)
                idxs.append(attention_offsets[offset])
        self.attention_biases = nn.Parameter(
            torch.zeros(num_heads, len(attention_offsets)))
        self.register_buffer('attention_bias_idxs',
                             torch.LongTensor(idxs).view(N, N))

    @torch.no_grad()
    def train(self, mode=True):
        super().train(mode)
        if mode and hasattr(self, 'ab'):
            del self.ab
        else:
            self.ab = self.attention_biases[:, self.attention_bias_idxs]

    def forward(self, x):
        B, C, H, W = x.shape
        trainingab = self.attention_biases[:, self.attention_bias_idxs]
        feats_in = x.chunk(len(self.qkvs), dim=1)
        feats_out = []
        feat = feats_in[0]
        for i, qkv in enumerate(self.qkvs):
            if i > 0:
                feat = feat + feats_in[i]
            feat = qkv(feat)
            q, k, v = feat.view(B, -1, H, W).split(
                [self.key_dim, self.key_dim, self.d], dim=1)
            q = self.dws[i](q)
            q, k, v = q.flatten(2), k.flatten(2), v.flatten(2)
            attn = ((q.transpose(-2, -1) @ k) * self.scale
                    + (trainingab[i] if self.training else self.ab[i]))
            attn = attn.softmax(dim=-1)
            feat = (v @ attn.transpose(-2, -1)).view(B, self.d, H, W)
            feats_out.append(feat)
        x = self.proj(torch.cat(feats_out, 1))
        return x


class LocalWindowAttention(nn.Module):

    def __init__(self, dim, key_dim, num_heads=8, attn_ratio=4,
                 window_resolution=7, kernels=[5, 5, 5, 5]):
        super().__init__()
        self.window_resolution = window_resolution
        self.attn = CascadedGroupAttention(dim, key_dim, num_heads,
                                           attn_ratio=attn_ratio,
                                           resolution=window_resolution,
                                           kernels=kernels)

    def forward(self, x):
        B, C, H, W = x.shape
        if H <= self.window_resolution and W <= self.window_resolution:
            x = self.attn(x)
        else:
            x = x.permute(0, 2, 3, 1)
            pad_b = (self.window_resolution - H %
                     self.window_resolution) % self.window_resolution
            pad_r = (self.window_resolution - W %
                     self.window_resolution) % self.window_resolution
            padding = pad_b > 0 or pad_r > 0
            if padding:
                x = nn.functional.pad(x, (0, 0, 0, pad_r, 0, pad_b))
            pH, pW = H + pad_b, W + pad_r
            nH = pH // self.window_resolution
            nW = pW // self.window_resolution
            # BHWC -> B(nHh)(nWw)C -> BnHnWhwC -> (BnHnW)hwC -> (BnHnW)Chw
            x = x.view(B, nH, self.window_resolution, nW,
                       self.window_resolution, C).transpose(2, 3).reshape(
                B * nH * nW, self.window_resolution, self.window_resolution,
                C).permute(0, 3, 1, 2)
            x = self.attn(x)
            # (BnHnW)Chw -> (BnHnW)hwC -> BnHnWhwC -> B(nHh)(nWw)C -> BHWC
            x = x.permute(0, 2, 3, 1).view(
                B, nH, nW, self.window_resolution, self.window_resolution,
                C).transpose(2, 3).reshape(B, pH, pW, C)
            if padding:
                x = x[:, :H, :W].contiguous()
            x = x.permute(0, 3, 1, 2)
        return x


class EfficientViTBlock(nn.Module):

    def __init__(self, ed, kd, nh=8, ar=4, window_resolution=7,
                 kernels=[5, 5, 5, 5]):
        super().__init__()
        self.dw0 = Residual(Conv2d_BN(ed, ed, 3, 1, 1, groups=ed,
                                      bn_weight_init=0.))
        self.ffn0 = Residual(FFN(ed, int(ed * 2)))
        self.mixer = Residual(LocalWindowAttention(
            ed, kd, nh, attn_ratio=ar, window_resolution=window_resolution,
            kernels=kernels))
        self.dw1 = Residual(Conv2d_BN(ed, ed, 3, 1, 1, groups=ed,
                                      bn_weight_init=0.))
        self.ffn1 = Residual(FFN(ed, int(ed * 2)))

    def forward(self, x):
        return self.ffn1(self.dw1(self.mixer(self.ffn0(self.dw0(x)))))


class OfficialEfficientViT(nn.Module):

    def __init__(self, in_chans=3, embed_dim=[64, 128, 192],
                 key_dim=[16, 16, 16], depth=[1, 2, 3], num_heads=[4, 4, 4],
                 window_size=[7, 7, 7], kernels=[5, 5, 5, 5],
                 down_ops=[['subsample', 2], ['subsample', 2], ['']]):
        super().__init__()
        self.patch_embed = nn.Sequential(
            Conv2d_BN(in_chans, embed_dim[0] // 8, 3, 2, 1), nn.ReLU(),
            Conv2d_BN(embed_dim[0] // 8, embed_dim[0] // 4, 3, 2, 1),
            nn.ReLU(),
            Conv2d_BN(embed_dim[0] // 4, embed_dim[0] // 2, 3, 2, 1),
            nn.ReLU(),
            Conv2d_BN(embed_dim[0] // 2, embed_dim[0], 3, 2, 1))

        attn_ratio = [embed_dim[i] / (key_dim[i] * num_heads[i])
                      for i in range(len(embed_dim))]
        blocks = [[], [], []]
        for i, (ed, kd, dpth, nh, ar, wd, do) in enumerate(zip(
                embed_dim, key_dim, depth, num_heads, attn_ratio, window_size,
                down_ops)):
            for _ in range(dpth):
                blocks[i].append(EfficientViTBlock(ed, kd, nh, ar, wd,
                                                   kernels))
            if do[0] == 'subsample':
                blocks[i + 1].append(nn.Sequential(
                    Residual(Conv2d_BN(embed_dim[i], embed_dim[i], 3, 1, 1,
                                       groups=embed_dim[i])),
                    Residual(FFN(embed_dim[i], int(embed_dim[i] * 2)))))
                blocks[i + 1].append(PatchMerging(*embed_dim[i:i + 2]))
                blocks[i + 1].append(nn.Sequential(
                    Residual(Conv2d_BN(embed_dim[i + 1], embed_dim[i + 1], 3,
                                       1, 1, groups=embed_dim[i + 1])),
                    Residual(FFN(embed_dim[i + 1],
                                 int(embed_dim[i + 1] * 2)))))
        self.blocks1 = nn.Sequential(*blocks[0])
        self.blocks2 = nn.Sequential(*blocks[1])
        self.blocks3 = nn.Sequential(*blocks[2])

    def forward(self, x):
        outs = []
        x = self.patch_embed(x)
        x = self.blocks1(x)
        outs.append(x)
        x = self.blocks2(x)
        outs.append(x)
        x = self.blocks3(x)
        outs.append(x)
        return tuple(outs)


def official_efficientvit(arch):
    """The official downstream model with the geometry of ``evit_dense``'s
    ``arch`` ('m0'..'m5')."""
    from evit_dense.models import EfficientViT
    settings = EfficientViT.parse_arch(arch)
    return OfficialEfficientViT(
        embed_dim=settings['embed_dims'], key_dim=settings['key_dims'],
        depth=settings['depths'], num_heads=settings['num_heads'],
        window_size=settings['window_sizes'], kernels=settings['kernels'])
