import os

from evit_dense.utils import write_atomically


def test_write_atomically_replaces_the_file_whole(tmp_path):
    path = tmp_path / 'sub' / 'file.bin'
    write_atomically(path, b'old')
    write_atomically(path, 'new')
    assert path.read_bytes() == b'new'
    assert os.listdir(path.parent) == ['file.bin']
