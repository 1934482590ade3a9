"""Cascaded group attention inside local windows (EfficientViT, Sec. 3.2).

Each head attends over its own channel split of the input; from the second
head on, that split is added to the previous head's output first, so later
heads refine what earlier ones found. Positions are encoded by a learned bias
per head and per 2-D offset ``(|dy|, |dx|)`` inside the window.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .layers import ConvNorm


def relative_offset_index(height, width, window_size):
    """Index into a ``window_size x window_size`` offset table for every pair of
    points of a ``height x width`` grid (row-major): ``|dy| * window + |dx|``.

    This is the official table's numbering, whose offsets are numbered in order
    of first appearance, which is row-major over ``(|dy|, |dx|)``.
    """
    ys, xs = torch.meshgrid(torch.arange(height), torch.arange(width),
                            indexing='ij')
    ys, xs = ys.flatten(), xs.flatten()
    dy = (ys[:, None] - ys[None, :]).abs()
    dx = (xs[:, None] - xs[None, :]).abs()
    return dy * window_size + dx


class PrunedHead(nn.Module):
    """Stands where a pruned head's convs were, keeping the other heads'
    indices (and so their parameter names)."""


class CascadedGroupAttention(nn.Module):
    """Cascaded group attention over one window (or a map no larger than one).

    Args:
        dim (int): Input and output channels.
        key_dim (int): Query/key channels per head; also sets the attention
            scale, which pruning keeps.
        num_heads (int): Number of heads; each sees ``dim // num_heads``
            input channels.
        window_size (int): Side of the window the biases are learned for.
        kernels (Sequence[int]): Kernel of the depthwise conv on each head's
            query.
        qk_dims (Sequence[int], optional): Pruned query/key channels of each
            head. Defaults to ``key_dim`` each.
        value_dims (Sequence[int], optional): Pruned value channels of each
            head; 0 removes the head. A head's output joins the next head's
            input at the channels it kept (buffer ``cascade_index_{i}``).
            Defaults to ``dim // num_heads`` each.
    """

    def __init__(self, dim, key_dim, num_heads, window_size, kernels,
                 qk_dims=None, value_dims=None):
        super().__init__()
        self.num_heads = num_heads
        self.key_dim = key_dim
        self.val_dim = dim // num_heads
        self.qk_dims = list(qk_dims or [key_dim] * num_heads)
        self.value_dims = list(value_dims or [self.val_dim] * num_heads)
        self.scale = key_dim ** -0.5
        self.window_size = window_size
        self.qkvs = nn.ModuleList(
            ConvNorm(self.val_dim, qk * 2 + v) if v else PrunedHead()
            for qk, v in zip(self.qk_dims, self.value_dims))
        self.dws = nn.ModuleList(
            ConvNorm(qk, qk, kernels[i], 1, kernels[i] // 2, groups=qk)
            if v else PrunedHead()
            for i, (qk, v) in enumerate(zip(self.qk_dims, self.value_dims)))
        self.proj = nn.Sequential(
            nn.ReLU(), ConvNorm(sum(self.value_dims), dim, bn_weight_init=0.))
        for i, v in enumerate(self.value_dims[:-1]):
            if 0 < v < self.val_dim:
                self.register_buffer(f'cascade_index_{i}', torch.arange(v))
        self.attention_biases = nn.Parameter(
            torch.zeros(num_heads, window_size * window_size))
        # Recomputable, so not saved: old checkpoints that carry it are filtered.
        self.register_buffer(
            'attention_bias_idxs',
            relative_offset_index(window_size, window_size, window_size),
            persistent=False)
        self.deploy = False

    def window_bias(self):
        """The ``(heads, N, N)`` bias of a full window."""
        if self.deploy:
            return self.cached_bias
        return self.attention_biases[:, self.attention_bias_idxs]

    def attention_bias(self, height, width):
        bias = self.window_bias()
        if (height, width) != (self.window_size, self.window_size):
            # A map smaller than the window is its top-left corner: keep the
            # rows and columns of the window points it covers.
            points = (torch.arange(height, device=bias.device)[:, None] *
                      self.window_size +
                      torch.arange(width, device=bias.device)).flatten()
            bias = bias[:, points][:, :, points]
        return bias

    @torch.no_grad()
    def switch_to_deploy(self):
        """Fold BatchNorms into convs, the query scale into the query convs,
        and replace the bias table by the gathered per-pair bias."""
        if self.deploy:
            return
        bias = self.window_bias().detach().clone()
        for i in range(self.num_heads):
            if not self.value_dims[i]:
                continue
            self.qkvs[i] = self.qkvs[i].fuse()
            query_conv = self.dws[i].fuse()
            query_conv.weight.mul_(self.scale)
            query_conv.bias.mul_(self.scale)
            self.dws[i] = query_conv
        self.proj[1] = self.proj[1].fuse()
        del self.attention_biases
        self.register_buffer('cached_bias', bias)
        self.deploy = True

    def forward(self, x):
        B, _, H, W = x.shape
        bias = self.attention_bias(H, W)
        feats_in = x.chunk(self.num_heads, dim=1)
        feats_out = []
        feat = feats_in[0]
        for i, (qkv, dw) in enumerate(zip(self.qkvs, self.dws)):
            if i > 0:
                feat = self.cascade(feats_in[i], feat, i - 1)
            if not self.value_dims[i]:
                feat = None
                continue
            qk_dim, val_dim = self.qk_dims[i], self.value_dims[i]
            q, k, v = qkv(feat).split([qk_dim, qk_dim, val_dim], dim=1)
            q = dw(q).flatten(2)
            # bias + scale * q^T k in one kernel (deploy folds the scale into q)
            attn = torch.baddbmm(bias[i], q.transpose(1, 2), k.flatten(2),
                                 alpha=1. if self.deploy else self.scale)
            attn = attn.softmax(dim=-1)
            if self.deploy:  # (attn v^T)^T: channels-last, no copy
                feat = (attn @ v.flatten(2).transpose(1, 2)).transpose(1, 2)
            else:
                feat = v.flatten(2) @ attn.transpose(1, 2)
            feat = feat.view(B, val_dim, H, W)
            feats_out.append(feat)
        return self.proj(torch.cat(feats_out, dim=1))

    def cascade(self, head_input, previous, previous_head):
        """The next head's input: its split plus the previous head's output,
        at the channels that head kept."""
        if previous is None:  # a pruned head adds nothing
            return head_input
        if self.value_dims[previous_head] == self.val_dim:
            return head_input + previous
        index = getattr(self, f'cascade_index_{previous_head}')
        return head_input.index_add(1, index, previous)


class LocalWindowAttention(nn.Module):
    """Cascaded group attention in non-overlapping windows of any map size.

    Maps larger than a window are zero-padded on the bottom/right to whole
    windows, as the official implementation does; maps no larger than one
    window are attended as a whole with the biases of their offsets (the
    official downstream code fails there).

    Args:
        dim (int): Input and output channels.
        key_dim (int): Query/key channels per head.
        num_heads (int): Number of heads.
        window_size (int): Window side.
        kernels (Sequence[int]): Query depthwise kernel per head.
        qk_dims, value_dims (Sequence[int], optional): Pruned widths per head,
            see ``CascadedGroupAttention``.
    """

    def __init__(self, dim, key_dim, num_heads, window_size, kernels,
                 qk_dims=None, value_dims=None):
        super().__init__()
        self.window_size = window_size
        self.attn = CascadedGroupAttention(dim, key_dim, num_heads,
                                           window_size, kernels, qk_dims,
                                           value_dims)

    def forward(self, x):
        B, C, H, W = x.shape
        ws = self.window_size
        if H <= ws and W <= ws:
            return self.attn(x)
        pad_b, pad_r = (ws - H % ws) % ws, (ws - W % ws) % ws
        if pad_b or pad_r:
            x = F.pad(x, (0, pad_r, 0, pad_b))
        nH, nW = (H + pad_b) // ws, (W + pad_r) // ws
        # One copy each way, in the layout the model runs in: channels-last
        # in the deploy form, NCHW otherwise.
        if self.attn.deploy:
            windows = x.permute(0, 2, 3, 1).reshape(B, nH, ws, nW, ws, C)
            windows = windows.transpose(2, 3).reshape(-1, ws, ws, C)
            windows = self.attn(windows.permute(0, 3, 1, 2))
            x = windows.permute(0, 2, 3, 1).reshape(B, nH, nW, ws, ws, C)
            x = x.transpose(2, 3).reshape(B, nH * ws, nW * ws, C)
            x = x.permute(0, 3, 1, 2)
        else:
            windows = x.view(B, C, nH, ws, nW, ws).permute(0, 2, 4, 1, 3, 5)
            windows = self.attn(windows.reshape(-1, C, ws, ws))
            x = windows.view(B, nH, nW, C, ws, ws).permute(0, 3, 1, 4, 2, 5)
            x = x.reshape(B, C, nH * ws, nW * ws)
        return x[:, :, :H, :W]
