import math

import pytest
import torch
from torch.nn.modules.batchnorm import _BatchNorm

from evit_dense.models import EfficientViTMIT
from tests.conftest import relative_error, saved_activation_bytes

ARCHS = sorted(EfficientViTMIT.arch_zoo)


def expected_size(size, stride):
    for _ in range(int(math.log2(stride))):
        size = math.ceil(size / 2)
    return size


def randomize_norms(model, seed=0):
    """Non-trivial BatchNorm statistics, so that eps and folding matter."""
    generator = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, _BatchNorm):
            m.running_mean.copy_(torch.rand(m.num_features, generator=generator) - 0.5)
            m.running_var.copy_(torch.rand(m.num_features, generator=generator) + 0.5)
            m.weight.data.copy_(torch.rand(m.num_features, generator=generator) + 0.5)
    return model


def mit_model_with_seeded_weights(mit, arch, seed=1):
    reference = mit.build(arch, zoo_eps=True)
    reference.load_state_dict(mit.seeded_state_dict(reference, seed))
    return reference


@pytest.mark.parametrize('arch', ARCHS)
@pytest.mark.parametrize('hw', [(224, 320), (97, 131)])
def test_matches_mit_code_for_every_arch(mit, arch, hw):
    """Same weights, MIT's state dict loaded as is: same stage maps as MIT's
    own backbone, odd sizes included."""
    reference = mit_model_with_seeded_weights(mit, arch)
    model = EfficientViTMIT(arch=arch, out_indices=(0, 1, 2, 3, 4))
    model.load_state_dict(reference.state_dict())
    model.eval()
    x = mit.seeded_input(hw, seed=3)
    with torch.no_grad():
        expected = reference(x)
        outs = model(x)
    for index, out in enumerate(outs):
        target = expected[f'stage{index}']
        assert out.shape == target.shape
        assert relative_error(out, target) < 1e-4, f'stage{index}'


def test_matches_mit_fixture_b1(mit, mit_backbone_fixture):
    reference = mit_backbone_fixture['b1']
    model = EfficientViTMIT(arch='b1')
    model.load_state_dict(reference['state_dict'])
    model.eval()
    assert model.out_channels == reference['channels']
    assert model.strides == reference['strides']
    for case in reference['cases']:
        x = mit.seeded_input(case['hw'], case['input_seed'])
        with torch.no_grad():
            outs = model(x)
        for out, expected in zip(outs, case['outputs'], strict=True):
            assert out.shape == expected.shape
            assert relative_error(out, expected) < 1e-4


@pytest.mark.parametrize('arch', ARCHS)
def test_every_variant_outputs_strides_4_to_32(arch):
    model = EfficientViTMIT(arch=arch).eval()
    with torch.no_grad():
        outs = model(torch.rand(1, 3, 96, 128))
    widths = EfficientViTMIT.arch_zoo[arch]['widths']
    assert model.strides == [4, 8, 16, 32]
    assert model.out_channels == widths[1:]
    for out, channels, stride in zip(outs, model.out_channels, model.strides,
                                     strict=True):
        assert out.shape == (1, channels, 96 // stride, 128 // stride)


def test_norm_eps_follows_the_model_zoo():
    eps = {arch: {m.eps for m in EfficientViTMIT(arch=arch).modules()
                  if isinstance(m, _BatchNorm)} for arch in ('b0', 'l0')}
    assert eps == {'b0': {1e-5}, 'l0': {1e-7}}
    custom = EfficientViTMIT(arch='l0', norm_eps=1e-5)
    assert {m.eps for m in custom.modules() if isinstance(m, _BatchNorm)} == {1e-5}


def test_l_series_uses_tanh_gelu():
    gelus = [m for m in EfficientViTMIT(arch='l0').modules()
             if isinstance(m, torch.nn.GELU)]
    assert gelus and all(m.approximate == 'tanh' for m in gelus)


@pytest.mark.parametrize('hw', [(511, 383), (65, 33), (32, 32), (17, 9)])
def test_any_input_size(hw):
    model = EfficientViTMIT(arch='b0', out_indices=(0, 1, 2, 3, 4)).eval()
    with torch.no_grad():
        outs = model(torch.rand(2, 3, *hw))
    for out, stride in zip(outs, model.strides, strict=True):
        assert out.shape[2:] == (expected_size(hw[0], stride),
                                 expected_size(hw[1], stride))
        assert torch.isfinite(out).all()


def test_small_maps_take_quadratic_attention(mit):
    """On maps with H * W <= head_dim MIT's code switches to the N x N form;
    both must agree there too (a 1x1 and a 2x3 last stage)."""
    reference = mit_model_with_seeded_weights(mit, 'b1')
    model = EfficientViTMIT(arch='b1')
    model.load_state_dict(reference.state_dict())
    model.eval()
    for hw in [(32, 32), (64, 96)]:
        x = mit.seeded_input(hw, seed=5)
        with torch.no_grad():
            expected = reference(x)['stage4']
            out = model(x)[-1]
        assert out.shape[-2] * out.shape[-1] <= 16
        assert relative_error(out, expected) < 1e-4


def test_out_indices_count_mit_stage_names():
    model = EfficientViTMIT(arch='b1', out_indices=(0, -1))
    assert model.out_indices == (0, 4)
    assert model.out_channels == [16, 256]
    assert model.strides == [2, 32]
    outs = model.eval()(torch.rand(1, 3, 64, 64))
    assert [tuple(o.shape[1:]) for o in outs] == [(16, 32, 32), (256, 2, 2)]


def test_train_mode_backward_reaches_every_parameter():
    model = EfficientViTMIT(arch='b0').train()
    outs = model(torch.rand(2, 3, 64, 96))
    sum(o.square().mean() for o in outs).backward()
    assert [n for n, p in model.named_parameters() if p.grad is None] == []


@pytest.mark.parametrize('frozen_stages', [0, 2])
def test_frozen_stages(frozen_stages):
    model = EfficientViTMIT(arch='b0', frozen_stages=frozen_stages).train()
    frozen = [model.stem, *model.stages[:frozen_stages]]
    for module in frozen:
        assert all(not p.requires_grad for p in module.parameters())
        assert all(not m.training for m in module.modules())
    for module in model.stages[frozen_stages:]:
        assert all(p.requires_grad for p in module.parameters())
        assert all(m.training for m in module.modules())


def test_norm_eval_keeps_batchnorm_in_eval():
    model = EfficientViTMIT(arch='b0', norm_eval=True).train()
    norms = [m for m in model.modules() if isinstance(m, _BatchNorm)]
    assert norms and all(not m.training for m in norms)
    before = norms[0].running_mean.clone()
    model(torch.rand(2, 3, 64, 64))
    assert torch.equal(norms[0].running_mean, before)


def test_with_cp_same_outputs_and_gradients():
    torch.manual_seed(0)
    plain = EfficientViTMIT(arch='b0').train()
    checkpointed = EfficientViTMIT(arch='b0', with_cp=True).train()
    checkpointed.load_state_dict(plain.state_dict())
    x = torch.rand(2, 3, 64, 96)
    results = []
    for model in (plain, checkpointed):
        outs = model(x)
        sum(o.sum() for o in outs).backward()
        results.append((outs, {n: p.grad for n, p in model.named_parameters()}))
    (outs_a, grads_a), (outs_b, grads_b) = results
    for a, b in zip(outs_a, outs_b, strict=True):
        torch.testing.assert_close(a, b)
    for name in grads_a:
        torch.testing.assert_close(grads_a[name], grads_b[name],
                                   rtol=1e-4, atol=1e-5, msg=name)


def test_with_cp_keeps_a_fraction_of_the_activations():
    x = torch.rand(1, 3, 256, 320, requires_grad=True)
    kept = {}
    for with_cp in (False, True):
        model = EfficientViTMIT(arch='b0', with_cp=with_cp).train()
        kept[with_cp] = saved_activation_bytes(lambda: model(x))
    assert kept[True] < 0.2 * kept[False]


@pytest.mark.parametrize('arch', ['b1', 'l1'])
def test_switch_to_deploy_keeps_outputs(arch):
    torch.manual_seed(0)
    model = randomize_norms(EfficientViTMIT(arch=arch)).eval()
    x = torch.rand(1, 3, 160, 224)
    with torch.no_grad():
        expected = model(x)
        model.switch_to_deploy()
        model.switch_to_deploy()
        deployed = model(x)
    assert not any(isinstance(m, _BatchNorm) for m in model.modules())
    for a, b in zip(deployed, expected, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_attention_runs_in_float32_under_autocast():
    model = EfficientViTMIT(arch='b0').cuda().train()
    with torch.autocast('cuda', dtype=torch.float16):
        outs = model(torch.rand(2, 3, 128, 128, device='cuda'))
    assert all(torch.isfinite(o).all() for o in outs)


def test_attention_computes_in_float32_under_cpu_autocast():
    """bfloat16 autocast on the CPU: the attention's matmuls still see
    float32 (their output matches the float32 model closely)."""
    torch.manual_seed(0)
    model = EfficientViTMIT(arch='b0').eval()
    attention = model.stages[3].blocks[1].context_module.main
    qkv = torch.rand(1, 3 * 128, 4, 6)
    expected = attention.attention(qkv)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = attention.attention(qkv.bfloat16())
    assert out.dtype == torch.bfloat16
    assert relative_error(out.float(), expected) < 1e-2


def test_unknown_arch_lists_valid_ones():
    with pytest.raises(KeyError, match=r"b4.*'b0', 'b1'"):
        EfficientViTMIT(arch='b4')


def test_custom_arch_dict():
    arch = dict(series='b', widths=[8, 16, 24, 32, 48], depths=[1, 1, 2, 1, 1],
                head_dim=8)
    model = EfficientViTMIT(arch=arch).eval()
    outs = model(torch.rand(1, 3, 64, 64))
    assert [o.shape[1] for o in outs] == [16, 24, 32, 48]
    assert len(model.stages[1].blocks) == 2


@pytest.mark.parametrize('kwargs, error', [
    (dict(arch=dict(series='b', widths=[8, 16])), KeyError),
    (dict(arch=dict(series='x', widths=[8] * 5, depths=[1] * 5, head_dim=8)),
     ValueError),
    (dict(arch=dict(series='b', widths=[8, 16, 24, 36, 48], depths=[1] * 5,
                    head_dim=8)), ValueError),
    (dict(out_indices=(5,)), IndexError),
    (dict(frozen_stages=5), ValueError),
])
def test_bad_arguments_fail_in_constructor(kwargs, error):
    with pytest.raises(error):
        EfficientViTMIT(**kwargs)
