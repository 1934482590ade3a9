import itertools

import torch
import torch.nn.functional as F

from evit_dense.models.efficientvit_msra.attention import (CascadedGroupAttention,
                                         LocalWindowAttention,
                                         relative_offset_index)


def official_offset_index(resolution):
    """The official table: offsets numbered in order of first appearance."""
    points = list(itertools.product(range(resolution), range(resolution)))
    offsets, idxs = {}, []
    for p1 in points:
        for p2 in points:
            offset = (abs(p1[0] - p2[0]), abs(p1[1] - p2[1]))
            idxs.append(offsets.setdefault(offset, len(offsets)))
    return torch.tensor(idxs).view(len(points), len(points))


def random_attention(window_size, seed=0):
    torch.manual_seed(seed)
    attn = CascadedGroupAttention(32, 8, 4, window_size, [3, 5, 3, 5])
    with torch.no_grad():
        for p in attn.parameters():
            p.normal_(0, 0.3)
    return attn.eval()


def test_offset_index_matches_official_numbering():
    for resolution in (1, 4, 7):
        assert torch.equal(relative_offset_index(resolution, resolution, resolution),
                           official_offset_index(resolution))


def test_map_smaller_than_window_uses_its_offsets_biases():
    """A 4x4 map in a 7x7-window layer equals a 4x4-window layer whose table
    holds the 7x7 table's entries for offsets below 4."""
    big = random_attention(7)
    small = CascadedGroupAttention(32, 8, 4, 4, [3, 5, 3, 5]).eval()
    state = big.state_dict()
    state['attention_biases'] = state['attention_biases'].view(4, 7, 7)[:, :4, :4].reshape(4, 16)
    small.load_state_dict(state)
    x = torch.randn(2, 32, 4, 4)
    torch.testing.assert_close(big(x), small(x))
    # and a non-square small map is a corner of the square one's bias
    x = torch.randn(1, 32, 3, 5)
    expected_bias = big.attention_biases[:, relative_offset_index(3, 5, 7)]
    torch.testing.assert_close(big.attention_bias(3, 5), expected_bias)


def test_windows_are_padded_partitioned_and_restored():
    layer = LocalWindowAttention(32, 8, 4, 7, [3, 5, 3, 5]).eval()
    layer.attn.load_state_dict(random_attention(7).state_dict())
    x = torch.randn(2, 32, 10, 16)
    padded = F.pad(x, (0, 5, 0, 4))
    expected = torch.zeros_like(padded)
    for i in range(2):
        for j in range(3):
            rows, cols = slice(7 * i, 7 * i + 7), slice(7 * j, 7 * j + 7)
            expected[:, :, rows, cols] = layer.attn(padded[:, :, rows, cols])
    torch.testing.assert_close(layer(x), expected[:, :, :10, :16])


def test_deploy_caches_bias_without_changing_output():
    attn = random_attention(7)
    x = torch.randn(2, 32, 7, 7)
    expected = attn(x)
    attn.switch_to_deploy()
    assert not hasattr(attn, 'attention_biases') or 'attention_biases' not in dict(attn.named_parameters())
    torch.testing.assert_close(attn(x), expected)
    torch.testing.assert_close(attn(x[:, :, :3, :5]),
                               random_attention(7)(x[:, :, :3, :5]))
