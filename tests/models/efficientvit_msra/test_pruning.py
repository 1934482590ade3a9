import pytest
import torch

from evit_dense.models import EfficientViT
from evit_dense.models.efficientvit_msra.pruning import (MIN_KEPT_FRACTION, kept_fractions,
                                       prunable_units, prune_backbone,
                                       select_channels, taylor_importance,
                                       unit_name, zero_pruned_channels)
from tests.conftest import randomise_batchnorms
from tests.models.conftest import (BackboneLoss, max_output_difference,
                                   random_importance)

INPUT = torch.rand(2, 3, 160, 224, generator=torch.Generator().manual_seed(0))


def trained_like(arch='m0'):
    """A backbone with BatchNorm statistics and scales away from their
    initial values (zero-initialised scales would hide pruning errors)."""
    torch.manual_seed(0)
    return randomise_batchnorms(EfficientViT(arch)).eval()


def max_difference(ours, theirs):
    return max_output_difference(ours, theirs, INPUT)


def test_units_cover_each_head_and_ffn():
    backbone = trained_like()
    units = prunable_units(backbone)
    heads = sum(d * h for d, h in zip([1, 2, 3], [4, 4, 4]))
    assert sum(u.component == 'qk' for u in units) == heads
    assert sum(u.component == 'value' for u in units) == heads
    # two per block, two per downsampling sandwich (stages 2 and 3)
    assert sum(u.component == 'ffn' for u in units) == 2 * 6 + 2 * 2


def test_ratio_zero_gives_the_original_outputs():
    backbone = trained_like()
    units = prunable_units(backbone)
    kept = select_channels(units, random_importance(units), 0.0)
    pruned = prune_backbone(backbone, units, kept).eval()
    assert max_difference(pruned, backbone) <= 1e-5


@pytest.mark.parametrize('ratio', [0.3, 0.6])
def test_pruned_equals_the_original_with_channels_zeroed(ratio):
    backbone = trained_like()
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


def test_a_whole_head_can_go_and_the_cascade_stays_exact():
    backbone = trained_like()
    units = prunable_units(backbone)
    importance = random_importance(units)
    attention = 'stages.2.blocks.1.mixer.m.attn'
    importance[unit_name(attention, 'value', 1)] -= 10  # least important
    kept = select_channels(units, importance, 0.2)
    assert kept[unit_name(attention, 'value', 1)] == []

    pruned = prune_backbone(backbone, units, kept).eval()
    widths = pruned.arch_settings['block_widths'][2]['blocks'][1]
    assert widths['value_dims'][1] == 0 and widths['qk_dims'][1] == 0
    assert max_difference(pruned, zero_pruned_channels(backbone, units,
                                                       kept)) <= 1e-5


def test_every_group_keeps_its_minimum():
    backbone = trained_like()
    units = prunable_units(backbone)
    kept = select_channels(units, random_importance(units), 0.95)
    for unit in units:
        if unit.component != 'value':
            assert len(kept[unit.name]) >= max(
                1, MIN_KEPT_FRACTION * unit.size)
    fractions = kept_fractions(units, kept)
    assert all(k > 0 for k, _ in fractions.values())


def test_pruned_arch_builds_from_a_config_and_loads_its_weights():
    backbone = trained_like()
    units = prunable_units(backbone)
    kept = select_channels(units, random_importance(units), 0.4)
    pruned = prune_backbone(backbone, units, kept).eval()
    rebuilt = EfficientViT(arch=pruned.arch_settings).eval()
    rebuilt.load_state_dict(pruned.state_dict())  # strict
    assert max_difference(rebuilt, pruned) == 0


def test_pruning_a_pruned_backbone_again_stays_exact():
    backbone = trained_like()
    units = prunable_units(backbone)
    once = prune_backbone(backbone, units,
                          select_channels(units, random_importance(units),
                                          0.3)).eval()
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
    arch = dict(EfficientViT.arch_zoo['m0'], block_widths=[
        None, dict(blocks=[dict(qk_dims=[16] * 4, value_dims=[32] * 4,
                                ffn_hidden=[256, 256])]), None])
    with pytest.raises(ValueError, match='has 1 blocks, stage 1 has 2'):
        EfficientViT(arch)


def test_taylor_importance_is_the_loss_derivative_along_the_channel():
    backbone = trained_like()
    model = BackboneLoss(backbone)
    units, importance = taylor_importance(model, [INPUT])
    ffn = next(u for u in units if u.component == 'ffn')
    channel = int(importance[ffn.name].argmax())
    # |sum(w * dL/dw)| is |dL/de| for the channel's weights scaled by 1 + e.
    step = 1e-3
    module = backbone.get_submodule(ffn.path)
    with torch.no_grad():
        before = model(INPUT, 'loss')['loss'].double().item()
        for param, index in ((module.pw1.conv.weight, channel),
                             (module.pw1.bn.weight, channel),
                             (module.pw1.bn.bias, channel),
                             (module.pw2.conv.weight, (slice(None), channel))):
            param[index] *= 1 + step
        after = model(INPUT, 'loss')['loss'].double().item()
    assert abs(after - before) / step == pytest.approx(
        importance[ffn.name][channel].item(), rel=0.05)
