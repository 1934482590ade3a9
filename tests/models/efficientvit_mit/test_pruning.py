import pytest
import torch

from evit_dense.models import EfficientViTMIT
from evit_dense.models.efficientvit_mit.pruning import (
    MIN_KEPT_FRACTION, kept_fractions, prunable_units, prune_backbone,
    select_channels, taylor_importance, unit_name, zero_pruned_channels)
from tests.conftest import randomise_batchnorms
from tests.models.conftest import (BackboneLoss, max_output_difference,
                                   random_importance)

INPUT = torch.rand(2, 3, 96, 128, generator=torch.Generator().manual_seed(0))
# The L series' layout (FusedMBConv stages, GELU, biases without norms) at
# B0's widths, so that both series stay fast to test.
SMALL_L = dict(series='l', widths=[8, 16, 32, 64, 128], depths=[1, 1, 1, 2, 2],
               head_dim=16)


def trained_like(arch='b0'):
    """A backbone with BatchNorm statistics and scales away from their
    initial values (zero-initialised scales would hide pruning errors)."""
    torch.manual_seed(0)
    return randomise_batchnorms(EfficientViTMIT(arch)).eval()


def max_difference(ours, theirs):
    return max_output_difference(ours, theirs, INPUT)


def test_units_cover_each_head_and_mbconv():
    units = prunable_units(trained_like())
    # B0: stages 3 and 4 have 2 attention blocks of 2 x 4 and 2 x 8 heads
    # (the qkv conv's and the aggregation scale's).
    heads = 2 * 8 + 2 * 16
    assert sum(u.component == 'qk' for u in units) == heads
    assert sum(u.component == 'value' for u in units) == heads
    # 2 + 2 convolutional blocks, a stride-2 MBConv and 2 attention blocks'
    # MBConvs in each attention stage; the stem is not pruned.
    assert sum(u.component == 'mbconv' for u in units) == 4 + 2 * 3
    assert all(not u.path.startswith('stem') for u in units)


@pytest.mark.parametrize('arch', ['b0', SMALL_L])
def test_ratio_zero_gives_the_original_model(arch):
    backbone = trained_like(arch)
    units = prunable_units(backbone)
    kept = select_channels(units, random_importance(units), 0.0)
    pruned = prune_backbone(backbone, units, kept).eval()
    assert pruned.state_dict().keys() == backbone.state_dict().keys()
    assert max_difference(pruned, backbone) <= 1e-5


@pytest.mark.parametrize('arch', ['b0', SMALL_L])
@pytest.mark.parametrize('ratio', [0.3, 0.6])
def test_pruned_equals_the_original_with_channels_zeroed(arch, ratio):
    backbone = trained_like(arch)
    units = prunable_units(backbone)
    kept = select_channels(units, random_importance(units), ratio)
    pruned = prune_backbone(backbone, units, kept).eval()
    zeroed = zero_pruned_channels(backbone, units, kept).eval()

    assert max_difference(pruned, zeroed) <= 1e-5
    assert max_difference(pruned, backbone) > 1e-3  # something was pruned
    removed = sum(u.size - len(kept[u.name]) for u in units)
    assert removed == round(ratio * sum(u.size for u in units))
    assert (sum(p.numel() for p in pruned.parameters())
            < sum(p.numel() for p in backbone.parameters()))


def test_heads_of_both_scales_are_pruned_apart():
    backbone = trained_like()
    units = prunable_units(backbone)
    importance = random_importance(units)
    attention = 'stages.3.blocks.1.context_module.main'
    importance[unit_name(attention, 'qk', 2)] -= 10  # a qkv conv head
    importance[unit_name(attention, 'value', 12)] -= 10  # a scale head
    # exactly what those two heads can lose (each keeps 2 of its 16)
    ratio = 2 * 14 / sum(unit.size for unit in units)
    kept = select_channels(units, importance, ratio)

    pruned = prune_backbone(backbone, units, kept).eval()
    widths = pruned.arch_settings['block_widths'][3][1]
    assert widths['qk_dims'][2] == widths['value_dims'][12] == 2
    assert widths['value_dims'][2] == widths['qk_dims'][12] == 16
    assert max_difference(pruned, zero_pruned_channels(backbone, units,
                                                       kept)) <= 1e-5


def test_every_head_keeps_its_minimum():
    backbone = trained_like()
    units = prunable_units(backbone)
    kept = select_channels(units, random_importance(units), 0.95)
    for unit in units:
        assert len(kept[unit.name]) >= max(1, MIN_KEPT_FRACTION * unit.size)
    assert all(k > 0 for k, _ in kept_fractions(units, kept).values())


def test_pruned_arch_builds_from_a_config_and_loads_its_weights():
    backbone = trained_like()
    units = prunable_units(backbone)
    pruned = prune_backbone(backbone, units, select_channels(
        units, random_importance(units), 0.4)).eval()
    rebuilt = EfficientViTMIT(arch=pruned.arch_settings).eval()
    rebuilt.load_state_dict(pruned.state_dict())  # strict
    assert max_difference(rebuilt, pruned) == 0


def test_pruning_a_pruned_backbone_again_stays_exact():
    backbone = trained_like()
    units = prunable_units(backbone)
    once = prune_backbone(backbone, units, select_channels(
        units, random_importance(units), 0.3)).eval()
    units_once = prunable_units(once)
    kept = select_channels(units_once, random_importance(units_once, 1), 0.3)
    twice = prune_backbone(once, units_once, kept).eval()
    assert max_difference(twice, zero_pruned_channels(once, units_once,
                                                      kept)) <= 1e-5


def test_deploy_form_of_a_pruned_backbone_keeps_outputs():
    backbone = trained_like()
    units = prunable_units(backbone)
    pruned = prune_backbone(backbone, units, select_channels(
        units, random_importance(units), 0.5)).eval()
    expected = [out.clone() for out in pruned(INPUT)]
    pruned.switch_to_deploy()
    with torch.no_grad():
        for ours, theirs in zip(pruned(INPUT), expected):
            torch.testing.assert_close(ours, theirs, rtol=1e-4, atol=1e-4)


def test_block_widths_must_fit_the_stage():
    arch = dict(EfficientViTMIT.arch_zoo['b0'],
                block_widths=[None, None, [dict(hidden=64)], None])
    with pytest.raises(ValueError, match=r'block_widths\[2\] has 1 blocks, '
                                         r'stage 3 has 3'):
        EfficientViTMIT(arch)
    arch['block_widths'][2] = [dict(hidden=64)] * 3
    with pytest.raises(ValueError, match=r"block_widths\[2\]\[1\] needs the "
                                         r"keys \['hidden', 'qk_dims'"):
        EfficientViTMIT(arch)


def test_taylor_importance_is_the_loss_derivative_along_the_channel():
    """For a scale head's query/key channel: rows of the aggregation's
    grouped 1x1 conv."""
    backbone = trained_like().double()  # the loss moves by ~1e-8
    model = BackboneLoss(backbone)
    inputs = INPUT.double()
    _, importance = taylor_importance(model, [inputs])
    attention_path = 'stages.3.blocks.1.context_module.main'
    name = unit_name(attention_path, 'qk', 9)  # scale head 1
    channel = int(importance[name].argmax())
    # |sum(w * dL/dw)| is |dL/de| for the channel's weights scaled by 1 + e.
    step = 1e-3
    grouped = backbone.get_submodule(attention_path).aggreg[0][1]
    head_start = 3 * 1 * 16
    with torch.no_grad():
        before = model(inputs, 'loss')['loss'].item()
        for row in (head_start + channel, head_start + 16 + channel):
            grouped.weight[row] *= 1 + step
        after = model(inputs, 'loss')['loss'].item()
    assert abs(after - before) / step == pytest.approx(
        importance[name][channel].item(), rel=0.05)
