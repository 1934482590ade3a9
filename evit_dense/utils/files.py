"""Files written whole or not at all: a process killed mid-write (a crash,
a preempted job) leaves the previous file, never a truncated one."""
import os
import os.path as osp
import tempfile


def write_atomically(path, data):
    """Write ``data`` (bytes or str) to ``path`` through a temporary file
    renamed over it, creating the folder if needed."""
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        dir=folder, prefix=f'.{osp.basename(path)}.', suffix='.tmp')
    try:
        with os.fdopen(descriptor, 'wb') as file:
            file.write(data.encode() if isinstance(data, str) else data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        if osp.exists(temporary):
            os.remove(temporary)
        raise
