"""Lightweight multi-scale linear attention (MIT's ``LiteMLA``), the global
context module of MIT's EfficientViT (Cai et al., ICCV 2023).

Softmax is replaced by a ReLU kernel, so attention costs O(N) in the number
of tokens: ``out = (V relu(K)^T) relu(Q) / (sum_n relu(K)^T relu(Q))``. The
multi-scale tokens come from aggregating q/k/v with a 5x5 depthwise conv and
a grouped 1x1 conv per head; each scale adds heads of its own.
"""
import torch
import torch.nn as nn

from .layers import ConvNormAct


class GroupedPointwiseConv(nn.Module):
    """A 1x1 conv without bias in groups of unequal widths: group ``g`` maps
    ``in_sizes[g]`` input channels to ``out_sizes[g]`` outputs. The
    aggregation of a pruned ``LiteMLA``, whose heads keep different widths
    (``nn.Conv2d`` groups must be equal)."""

    def __init__(self, in_sizes, out_sizes):
        super().__init__()
        self.in_sizes = list(in_sizes)
        self.convs = nn.ModuleList(
            nn.Conv2d(width_in, width_out, 1, bias=False)
            for width_in, width_out in zip(in_sizes, out_sizes))

    def forward(self, x):
        return torch.cat([conv(part) for conv, part in zip(
            self.convs, x.split(self.in_sizes, dim=1))], dim=1)


class LiteMLA(nn.Module):
    """Multi-scale ReLU linear attention over a whole feature map.

    Heads are numbered in the order of the attention's output: the
    ``in_channels // head_dim`` heads of the 1x1 qkv conv, then those of
    each aggregation scale; head ``h`` of a scale aggregates head ``h``'s
    q, k and v.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        head_dim (int): Channels of q, k and v per head (MIT's ``dim``);
            there are ``in_channels // head_dim`` heads per scale.
        scales (tuple[int]): Kernel sizes of the aggregation convs.
            Defaults to (5,).
        norm_eps (float): eps of the projection's BatchNorm.
        eps (float): Added to the attention's normaliser. Defaults to 1e-15,
            as MIT's code (timm uses 1e-5).
        qk_dims (Sequence[int], optional): Query/key channels of each head,
            from pruning. Defaults to ``head_dim`` each.
        value_dims (Sequence[int], optional): Value channels of each head,
            from pruning. Defaults to ``head_dim`` each.
    """

    def __init__(self, in_channels, out_channels, head_dim=8, scales=(5,),
                 norm_eps=1e-5, eps=1e-15, qk_dims=None, value_dims=None):
        super().__init__()
        self.head_dim = head_dim
        self.eps = eps
        heads = in_channels // head_dim
        num_heads = heads * (1 + len(scales))
        qk_dims = list(qk_dims or [head_dim] * num_heads)
        value_dims = list(value_dims or [head_dim] * num_heads)
        if not (len(qk_dims) == len(value_dims) == num_heads
                and min(qk_dims + value_dims) > 0):
            raise ValueError(
                f'LiteMLA with {heads} heads per scale and {len(scales)} '
                f'aggregation scale(s) needs qk_dims and value_dims of '
                f'{num_heads} positive entries, got {qk_dims} and '
                f'{value_dims}')
        # Per head, the widths of its q, k and v among the qkv channels.
        self.head_parts = [(qk, qk, value)
                           for qk, value in zip(qk_dims, value_dims)]
        # Unpruned: MIT's layout, every head computed at once.
        self.uniform = set(qk_dims + value_dims) == {head_dim}

        def channels(first_head):
            return [width for parts in
                    self.head_parts[first_head:first_head + heads]
                    for width in parts]

        base = sum(channels(0))
        self.qkv = ConvNormAct(in_channels, base, 1, norm=False)
        self.aggreg = nn.ModuleList(
            nn.Sequential(
                nn.Conv2d(base, base, scale, padding=scale // 2, groups=base,
                          bias=False),
                nn.Conv2d(base, base, 1, groups=3 * heads, bias=False)
                if self.uniform else
                GroupedPointwiseConv(channels(0), channels(i * heads)))
            for i, scale in enumerate(scales, 1))
        self.kernel_func = nn.ReLU()
        self.proj = ConvNormAct(sum(value_dims), out_channels, 1,
                                norm_eps=norm_eps)

    def relu_linear_attention(self, q, k, v):
        """O(N) attention of ``(B, heads, dim, N)`` q, k, v. MIT appends a
        row of ones to v to get the normaliser from the same matmul; the sum
        of k gives it without copying v."""
        kv = v @ k.transpose(-1, -2)
        out = kv @ q
        normaliser = k.sum(dim=-1, keepdim=True).transpose(-1, -2) @ q
        return out / (normaliser + self.eps)

    def relu_quadratic_attention(self, q, k, v):
        """The N x N form, which MIT's code takes on maps with
        ``H * W <= head_dim``, where it is the cheaper one."""
        attn = k.transpose(-1, -2) @ q
        attn = attn / (attn.sum(dim=2, keepdim=True) + self.eps)
        return v @ attn

    def attention(self, qkv):
        batch, _, height, width = qkv.shape
        tokens = height * width
        dtype = qkv.dtype
        # Float32 whatever autocast asks: the normaliser of the ReLU kernel
        # overflows and underflows in half precision.
        with torch.autocast(device_type=qkv.device.type, enabled=False):
            qkv = qkv.float().reshape(batch, -1, tokens)
            if self.uniform:  # every head at once, as MIT
                heads = [(qkv.reshape(batch, -1, 3 * self.head_dim, tokens),
                          self.head_parts[0])]
            else:  # pruned heads differ in width: one at a time
                heads = [(part.unsqueeze(1), parts) for part, parts in zip(
                    qkv.split([sum(p) for p in self.head_parts], dim=1),
                    self.head_parts)]
            outs = []
            for head_qkv, parts in heads:
                q, k, v = head_qkv.split(parts, dim=2)
                q, k = self.kernel_func(q), self.kernel_func(k)
                if tokens > self.head_dim:
                    out = self.relu_linear_attention(q, k, v)
                else:
                    out = self.relu_quadratic_attention(q, k, v)
                outs.append(out.reshape(batch, -1, tokens))
        out = torch.cat(outs, dim=1)
        return out.reshape(batch, -1, height, width).to(dtype)

    def forward(self, x):
        qkv = self.qkv(x)
        qkv = torch.cat([qkv, *(aggreg(qkv) for aggreg in self.aggreg)], dim=1)
        return self.proj(self.attention(qkv))
