"""The FPN of EfficientViT's detection recipe.

Paper: "EfficientViT: Memory Efficient Vision Transformer with Cascaded Group
Attention", Liu et al., CVPR 2023. Reference: ``EfficientViTFPN`` in
microsoft/Cream ``EfficientViT/downstream/efficientvit_fpn.py`` (mmdet 2.x),
whose module names this port keeps so that the released RetinaNet and
Mask R-CNN checkpoints load unchanged.

EfficientViT's maps have strides 16, 32 and 64. After mmdet's top-down FPN
over them, 2x2 stride-2 transposed convolutions learn the finer levels from
the stride-16 map (8, then 4), and stride-2 convolutions or max-pooling add
coarser ones, as in mmdet's ``FPN``.
"""
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch.utils.checkpoint import checkpoint

from ...registry import MODELS
from ..common.checkpoint import check_module_state_dict

EXTRA_CONV_SOURCES = ('on_input', 'on_lateral', 'on_output')


@MODELS.register_module()
class EfficientViTFPN(BaseModule):
    """FPN with transposed-convolution levels finer than its inputs.

    Outputs, finest first: ``num_extra_trans_convs`` levels from transposed
    convolutions, one level per used backbone map, then extra coarser levels
    until there are ``num_outs``. With the official settings (``in_channels``
    [128, 256, 384] at strides 16/32/64):

    * RetinaNet: ``num_extra_trans_convs=1, num_outs=5,
      add_extra_convs='on_input'``: strides 8, 16, 32, 64, 128, the last a
      stride-2 3x3 conv on the raw stride-64 backbone map.
    * Mask R-CNN: ``num_extra_trans_convs=2, num_outs=5``: strides 4..64.
    * Dense heads reading strides 4..32 (mmseg's FPN head, UperNet):
      ``num_extra_trans_convs=2, num_outs=4``: the stride-64 map still feeds
      the top-down path but gets no output of its own.

    Args:
        in_channels (list[int]): Channels of each backbone map.
        out_channels (int): Channels of every output.
        num_outs (int): Number of outputs, the transposed-convolution levels
            included.
        start_level (int): First backbone map used. Defaults to 0.
        add_extra_convs (bool | str): How levels coarser than the backbone's
            are made: False for max-pooling the coarsest output, else
            stride-2 3x3 convs whose first one reads the last backbone map
            (``'on_input'``, also what True means), its lateral
            (``'on_lateral'``) or the coarsest output (``'on_output'``).
            Defaults to False.
        relu_before_extra_convs (bool): ReLU before the second and later
            extra convs. Defaults to False.
        no_norm_on_lateral (bool): No norm on the 1x1 lateral and the
            transposed convs. Defaults to False.
        num_extra_trans_convs (int): Transposed-convolution levels finer than
            the first backbone map used. Defaults to 0.
        conv_cfg (dict, optional): Config of the 1x1 and 3x3 convs.
        norm_cfg (dict, optional): Norm after each conv. Defaults to None.
        act_cfg (dict, optional): Activation after each conv. Defaults to
            None.
        upsample_cfg (dict): ``F.interpolate`` arguments of the top-down
            path. Defaults to ``dict(mode='nearest')``.
        with_cp (bool): Activation checkpointing of the whole neck in
            training: only its inputs and outputs are kept, the
            transposed-convolution maps (the largest, at strides 8 and 4)
            are recomputed in backward. Same outputs and gradients.
            Defaults to False.
        init_cfg (dict | list[dict]): Defaults to Xavier-uniform convs, as
            in mmdet's FPN.
    """

    def __init__(self,
                 in_channels,
                 out_channels,
                 num_outs,
                 start_level=0,
                 add_extra_convs=False,
                 relu_before_extra_convs=False,
                 no_norm_on_lateral=False,
                 num_extra_trans_convs=0,
                 conv_cfg=None,
                 norm_cfg=None,
                 act_cfg=None,
                 upsample_cfg=dict(mode='nearest'),
                 with_cp=False,
                 init_cfg=dict(type='Xavier', layer='Conv2d',
                               distribution='uniform')):
        super().__init__(init_cfg=init_cfg)
        if not isinstance(in_channels, (list, tuple)) or not in_channels:
            raise TypeError(f'in_channels must be a non-empty list of the '
                            f'backbone channels, got {in_channels!r}')
        if not 0 <= start_level < len(in_channels):
            raise ValueError(f'start_level {start_level} is out of range for '
                             f'{len(in_channels)} input maps')
        if add_extra_convs is True:
            add_extra_convs = 'on_input'
        if add_extra_convs not in (False, *EXTRA_CONV_SOURCES):
            raise ValueError(f'add_extra_convs must be a bool or one of '
                             f'{EXTRA_CONV_SOURCES}, got {add_extra_convs!r}')
        num_levels = len(in_channels) - start_level
        num_backbone_outs = num_outs - num_extra_trans_convs
        if num_extra_trans_convs < 0 or num_backbone_outs < 1:
            raise ValueError(
                f'num_outs ({num_outs}) must exceed num_extra_trans_convs '
                f'({num_extra_trans_convs}) >= 0: at least one output comes '
                'from a backbone map')
        self.in_channels = list(in_channels)
        self.out_channels = out_channels
        self.num_outs = num_outs
        self.start_level = start_level
        self.add_extra_convs = add_extra_convs
        self.relu_before_extra_convs = relu_before_extra_convs
        self.num_extra_trans_convs = num_extra_trans_convs
        self.upsample_cfg = upsample_cfg.copy()
        self.with_cp = with_cp
        lateral_norm_cfg = None if no_norm_on_lateral else norm_cfg

        def conv3x3(in_channels, stride=1):
            return ConvModule(in_channels, out_channels, 3, stride=stride,
                              padding=1, conv_cfg=conv_cfg, norm_cfg=norm_cfg,
                              act_cfg=act_cfg, inplace=False)

        self.lateral_convs = nn.ModuleList(
            ConvModule(channels, out_channels, 1, conv_cfg=conv_cfg,
                       norm_cfg=lateral_norm_cfg, act_cfg=act_cfg,
                       inplace=False)
            for channels in self.in_channels[start_level:])
        # fpn_convs: a 3x3 conv per backbone level that has an output, then
        # the stride-2 convs of the extra coarser levels.
        self.fpn_convs = nn.ModuleList(
            conv3x3(out_channels)
            for _ in range(min(num_levels, num_backbone_outs)))
        self.num_coarser_outs = max(num_backbone_outs - num_levels, 0)
        if add_extra_convs:
            for i in range(self.num_coarser_outs):
                on_input = i == 0 and add_extra_convs == 'on_input'
                self.fpn_convs.append(conv3x3(
                    self.in_channels[-1] if on_input else out_channels,
                    stride=2))
        self.extra_trans_convs = nn.ModuleList(
            ConvModule(out_channels, out_channels, 2, stride=2,
                       conv_cfg=dict(type='deconv'),
                       norm_cfg=lateral_norm_cfg, act_cfg=act_cfg,
                       inplace=False)
            for _ in range(num_extra_trans_convs))
        # Paired in reverse, as in the official model: extra_fpn_convs.0
        # smooths the finest level.
        self.extra_fpn_convs = nn.ModuleList(
            conv3x3(out_channels) for _ in range(num_extra_trans_convs))

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # A checkpoint with another neck (e.g. Mask R-CNN's in a RetinaNet)
        # is an error, not a partial load.
        check_module_state_dict(state_dict, prefix, self.state_dict(),
                                type(self).__name__)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def _upsample_to(self, x, reference):
        if 'scale_factor' in self.upsample_cfg:
            return F.interpolate(x, **self.upsample_cfg)
        return F.interpolate(x, size=reference.shape[2:], **self.upsample_cfg)

    def forward(self, inputs):
        if len(inputs) != len(self.in_channels):
            raise ValueError(f'EfficientViTFPN expects {len(self.in_channels)} '
                             f'input maps, got {len(inputs)}')
        if self.with_cp and self.training:
            return checkpoint(self._forward, *inputs, use_reentrant=False)
        return self._forward(*inputs)

    def _forward(self, *inputs):
        inputs = inputs[self.start_level:]
        laterals = [conv(x) for conv, x in zip(self.lateral_convs, inputs)]
        for i in range(len(laterals) - 1, 0, -1):
            laterals[i - 1] = laterals[i - 1] + self._upsample_to(
                laterals[i], laterals[i - 1])

        # Each transposed conv doubles the resolution of the previous one,
        # starting from the finest lateral after the top-down additions.
        finer = []
        x = laterals[0]
        for trans_conv in self.extra_trans_convs:
            x = trans_conv(x)
            finer.insert(0, x)
        outs = [conv(x) for conv, x in zip(self.extra_fpn_convs, finer)]
        # zip stops at the shorter: fpn_convs may go on with the extra
        # coarser levels' convs, or end before the coarsest laterals.
        outs += [conv(x) for conv, x in zip(self.fpn_convs, laterals)]

        for i in range(self.num_coarser_outs):
            if not self.add_extra_convs:
                outs.append(F.max_pool2d(outs[-1], 1, stride=2))
                continue
            if i > 0:
                source = (F.relu(outs[-1]) if self.relu_before_extra_convs
                          else outs[-1])
            elif self.add_extra_convs == 'on_input':
                source = inputs[-1]
            elif self.add_extra_convs == 'on_lateral':
                source = laterals[-1]
            else:
                source = outs[-1]
            outs.append(self.fpn_convs[len(laterals) + i](source))
        return tuple(outs)
