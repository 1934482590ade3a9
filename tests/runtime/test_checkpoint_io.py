import os
import pickle
import signal
import subprocess
import sys
import time

import pytest
import torch
from mmengine.fileio import LocalBackend
from mmengine.runner import CheckpointLoader

import evit_dense  # noqa: F401  applies the changes
from evit_dense.errors import CorruptFileError, MissingFileError


def test_kill_during_a_write_leaves_the_previous_file(tmp_path):
    path = tmp_path / 'epoch_1.pth'
    torch.save({'state_dict': {'w': torch.ones(3)}}, path)
    before = path.read_bytes()
    # MMEngine's checkpoint writer, stalled after writing its data.
    script = f'''
import os, time, torch
import evit_dense
from mmengine.runner.checkpoint import save_checkpoint
os.fsync = lambda descriptor: (open({str(tmp_path / "STALLED")!r}, "w"),
                               time.sleep(600))
save_checkpoint({{'state_dict': {{'w': torch.zeros(1000)}}}}, {str(path)!r})
'''
    process = subprocess.Popen([sys.executable, '-c', script])
    deadline = time.time() + 120
    while not (tmp_path / 'STALLED').exists():
        assert process.poll() is None and time.time() < deadline
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()

    assert path.read_bytes() == before


def test_local_backend_writes_atomically(tmp_path):
    LocalBackend().put(b'data', tmp_path / 'a' / 'b.bin')
    LocalBackend().put_text('text', tmp_path / 'a' / 'c.txt')
    assert sorted(os.listdir(tmp_path / 'a')) == ['b.bin', 'c.txt']
    assert (tmp_path / 'a' / 'c.txt').read_text() == 'text'


def load(path):
    return CheckpointLoader.load_checkpoint(str(path), map_location='cpu')


def test_truncated_checkpoint_is_named(tmp_path):
    path = tmp_path / 'model.pth'
    torch.save({'state_dict': {'w': torch.ones(1000)}}, path)
    assert load(path)['state_dict']['w'].sum() == 1000
    path.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(CorruptFileError, match=rf'{path}.*truncated or corrupt'):
        load(path)
    with pytest.raises(MissingFileError, match='missing.pth'):
        load(tmp_path / 'missing.pth')


class RunsCode:
    """Unpickling this runs a command: what weights_only refuses."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f'touch {self.marker}',)


def test_checkpoint_that_runs_code_is_refused_without_running_it(tmp_path):
    path = tmp_path / 'evil.pth'
    marker = tmp_path / 'code_ran'
    torch.save({'state_dict': {}, 'payload': RunsCode(marker)}, path,
               pickle_module=pickle)
    with pytest.raises(CorruptFileError, match=rf'{path}.*refused'):
        load(path)
    assert not marker.exists()
