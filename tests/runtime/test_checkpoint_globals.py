import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub

import evit_dense  # noqa: F401  applies the fixes


def message_hub_state():
    """What MMEngine's Runner saves as ``message_hub`` in a checkpoint."""
    hub = MessageHub('test_checkpoint_globals')
    for loss in (1.5, 1.25):
        hub.update_scalar('train/loss', loss)
    hub.update_scalar('train/grad_norm', np.float32(3.5))
    hub.update_info('eta', np.float64(12.5))
    hub.update_info('iter', 2)
    return hub.state_dict()


def test_mmengine_checkpoint_state_loads_with_weights_only(tmp_path):
    path = tmp_path / 'checkpoint.pth'
    state = message_hub_state()
    torch.save({'message_hub': state, 'meta': {'epoch': np.int64(1)}}, path)

    loaded = torch.load(path, weights_only=True)

    buffer = loaded['message_hub']['log_scalars']['train/loss']
    assert isinstance(buffer, HistoryBuffer)
    assert buffer.mean() == 1.375 and buffer.current() == 1.25
    assert loaded['message_hub']['log_scalars']['train/grad_norm'].max() == 3.5
    assert loaded['message_hub']['runtime_info']['eta'] == np.float64(12.5)
    assert loaded['meta']['epoch'] == 1


def test_weights_only_still_refuses_other_globals(tmp_path):
    # Pickled as getattr(HistoryBuffer, 'update'): only the statistic
    # methods may come back through getattr.
    path = tmp_path / 'method.pth'
    torch.save({'method': HistoryBuffer.update}, path)
    with pytest.raises(pickle.UnpicklingError, match='refusing getattr'):
        torch.load(path, weights_only=True)
    # And an arbitrary class stays forbidden.
    torch.save({'hub': MessageHub('refused')}, path)
    with pytest.raises(pickle.UnpicklingError, match='MessageHub'):
        torch.load(path, weights_only=True)
