"""Run ``tools/train.py`` (argv as given) with checkpoint writes that stall
once a checkpoint exists: the second write announces itself with a file
``STALLED`` in the work dir and then waits, so that a test can SIGKILL the
process in the middle of writing a checkpoint."""
import os
import runpy
import sys
import time
from pathlib import Path

work_dir = Path(sys.argv[sys.argv.index('--work-dir') + 1])
fsync = os.fsync


def stalling_fsync(descriptor):
    writing = os.readlink(f'/proc/self/fd/{descriptor}')
    if '.pth.' in writing and any(work_dir.glob('*.pth')):
        (work_dir / 'STALLED').touch()
        time.sleep(600)
    fsync(descriptor)


os.fsync = stalling_fsync
sys.argv = ['tools/train.py', *sys.argv[1:]]
runpy.run_path('tools/train.py', run_name='__main__')
