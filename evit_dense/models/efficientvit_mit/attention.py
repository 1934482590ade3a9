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


class LiteMLA(nn.Module):
    """Multi-scale ReLU linear attention over a whole feature map.

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
    """

    def __init__(self, in_channels, out_channels, head_dim=8, scales=(5,),
                 norm_eps=1e-5, eps=1e-15):
        super().__init__()
        self.head_dim = head_dim
        self.eps = eps
        heads = in_channels // head_dim
        total_dim = heads * head_dim
        self.qkv = ConvNormAct(in_channels, 3 * total_dim, 1, norm=False)
        self.aggreg = nn.ModuleList(
            nn.Sequential(
                nn.Conv2d(3 * total_dim, 3 * total_dim, scale,
                          padding=scale // 2, groups=3 * total_dim,
                          bias=False),
                nn.Conv2d(3 * total_dim, 3 * total_dim, 1, groups=3 * heads,
                          bias=False))
            for scale in scales)
        self.kernel_func = nn.ReLU()
        self.proj = ConvNormAct(total_dim * (1 + len(scales)), out_channels,
                                1, norm_eps=norm_eps)

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
        dtype = qkv.dtype
        # Float32 whatever autocast asks: the normaliser of the ReLU kernel
        # overflows and underflows in half precision.
        with torch.autocast(device_type=qkv.device.type, enabled=False):
            qkv = qkv.float().reshape(batch, -1, 3 * self.head_dim,
                                      height * width)
            q, k, v = qkv.split(self.head_dim, dim=2)
            q, k = self.kernel_func(q), self.kernel_func(k)
            if height * width > self.head_dim:
                out = self.relu_linear_attention(q, k, v)
            else:
                out = self.relu_quadratic_attention(q, k, v)
        return out.reshape(batch, -1, height, width).to(dtype)

    def forward(self, x):
        qkv = self.qkv(x)
        qkv = torch.cat([qkv, *(aggreg(qkv) for aggreg in self.aggreg)], dim=1)
        return self.proj(self.attention(qkv))
