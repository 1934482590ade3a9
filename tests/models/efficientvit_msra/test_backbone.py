import math

import pytest
import torch
from torch.nn.modules.batchnorm import _BatchNorm

from evit_dense.models import EfficientViT
from evit_dense.models.efficientvit_msra.layers import Residual
from tests.conftest import saved_activation_bytes


def expected_size(size, stride):
    for _ in range(int(math.log2(stride))):
        size = math.ceil(size / 2)
    return size


@pytest.mark.parametrize('arch', sorted(EfficientViT.arch_zoo))
def test_every_variant_outputs_three_strides(arch):
    model = EfficientViT(arch=arch).eval()
    with torch.no_grad():
        outs = model(torch.rand(1, 3, 224, 256))
    assert model.strides == [16, 32, 64]
    assert model.out_channels == EfficientViT.arch_zoo[arch]['embed_dims']
    for out, channels, stride in zip(outs, model.out_channels, model.strides):
        assert out.shape == (1, channels, expected_size(224, stride),
                             expected_size(256, stride))


@pytest.mark.parametrize('hw', [(511, 383), (112, 137), (65, 33), (16, 16),
                                (1000, 24)])
def test_any_input_size(hw):
    """Odd sizes, maps smaller than a window and not divisible by 64."""
    model = EfficientViT(arch='m0').eval()
    with torch.no_grad():
        outs = model(torch.rand(2, 3, *hw))
    for out, stride in zip(outs, model.strides):
        assert out.shape[2:] == (expected_size(hw[0], stride),
                                 expected_size(hw[1], stride))
        assert torch.isfinite(out).all()


def test_out_indices_select_and_normalise():
    model = EfficientViT(arch='m1', out_indices=(-1, 1))
    assert model.out_indices == (1, 2)
    assert model.out_channels == [144, 192]
    assert model.strides == [32, 64]
    outs = model.eval()(torch.rand(1, 3, 128, 128))
    assert [o.shape[1] for o in outs] == [144, 192]


def test_train_mode_backward_reaches_every_parameter():
    model = EfficientViT(arch='m0').train()
    outs = model(torch.rand(2, 3, 96, 160))
    sum(o.square().mean() for o in outs).backward()
    no_grad = [n for n, p in model.named_parameters() if p.grad is None]
    assert no_grad == []


@pytest.mark.parametrize('frozen_stages', [0, 2])
def test_frozen_stages(frozen_stages):
    model = EfficientViT(arch='m0', frozen_stages=frozen_stages)
    model.train()
    frozen = [model.patch_embed, *model.stages[:frozen_stages]]
    trainable = list(model.stages[frozen_stages:])
    for module in frozen:
        assert all(not p.requires_grad for p in module.parameters())
        assert all(not m.training for m in module.modules())
    for module in trainable:
        assert all(p.requires_grad for p in module.parameters())
        assert all(m.training for m in module.modules())


def test_norm_eval_keeps_batchnorm_in_eval():
    model = EfficientViT(arch='m0', norm_eval=True).train()
    norms = [m for m in model.modules() if isinstance(m, _BatchNorm)]
    assert norms and all(not m.training for m in norms)
    assert model.stages[2].training
    before = norms[0].running_mean.clone()
    model(torch.rand(2, 3, 64, 64))
    assert torch.equal(norms[0].running_mean, before)


def test_with_cp_same_outputs_and_gradients():
    torch.manual_seed(0)
    plain = EfficientViT(arch='m0').train()
    checkpointed = EfficientViT(arch='m0', with_cp=True).train()
    checkpointed.load_state_dict(plain.state_dict())
    x = torch.rand(2, 3, 96, 128)
    results = []
    for model in (plain, checkpointed):
        outs = model(x)
        sum(o.sum() for o in outs).backward()
        results.append((outs, {n: p.grad for n, p in model.named_parameters()}))
    (outs_a, grads_a), (outs_b, grads_b) = results
    for a, b in zip(outs_a, outs_b):
        torch.testing.assert_close(a, b)
    for name in grads_a:
        torch.testing.assert_close(grads_a[name], grads_b[name],
                                   rtol=1e-4, atol=1e-5, msg=name)


def test_with_cp_keeps_a_fraction_of_the_activations():
    x = torch.rand(1, 3, 256, 320, requires_grad=True)
    kept = {}
    for with_cp in (False, True):
        model = EfficientViT(arch='m0', with_cp=with_cp).train()
        kept[with_cp] = saved_activation_bytes(lambda: model(x))
    # only the input and the inputs of each block are kept
    assert kept[True] < 0.1 * kept[False]


def test_switch_to_deploy_keeps_outputs():
    torch.manual_seed(0)
    model = EfficientViT(arch='m4')
    # Non-trivial BatchNorm statistics, so folding is really exercised.
    for m in model.modules():
        if isinstance(m, _BatchNorm):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5)
    model.eval()
    x = torch.rand(1, 3, 224, 300)
    with torch.no_grad():
        expected = model(x)
        model.switch_to_deploy()
        model.switch_to_deploy()
        deployed = model(x)
    assert not any(isinstance(m, _BatchNorm) for m in model.modules())
    # residual depthwise convs became single convs
    assert not any(isinstance(m, Residual) and isinstance(m.m, torch.nn.Conv2d)
                   for m in model.modules())
    for a, b in zip(deployed, expected):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)

    reloaded = EfficientViT(arch='m4')
    reloaded.switch_to_deploy()
    reloaded.load_state_dict(model.state_dict())
    with torch.no_grad():
        for a, b in zip(reloaded.eval()(x), expected):
            torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)


def test_unknown_arch_lists_valid_ones():
    with pytest.raises(KeyError, match=r"m6.*'m0', 'm1'"):
        EfficientViT(arch='m6')


def test_custom_arch_dict():
    arch = dict(embed_dims=[32, 48, 64], depths=[1, 1, 1], num_heads=[2, 2, 4],
                window_sizes=[5, 5, 3], kernels=[3, 3, 3, 3])
    model = EfficientViT(arch=arch).eval()
    outs = model(torch.rand(1, 3, 100, 100))
    assert [o.shape[1] for o in outs] == [32, 48, 64]
    assert model.stages[2].blocks[0].mixer.m.window_size == 3


@pytest.mark.parametrize('kwargs, error', [
    (dict(arch=dict(embed_dims=[32, 48, 64])), KeyError),
    (dict(arch=dict(embed_dims=[32, 48], depths=[1, 1], num_heads=[2, 2],
                    window_sizes=[7, 7], kernels=[3, 3])), ValueError),
    (dict(out_indices=(3,)), IndexError),
    (dict(frozen_stages=4), ValueError),
])
def test_bad_arguments_fail_in_constructor(kwargs, error):
    with pytest.raises(error):
        EfficientViT(**kwargs)
