"""A user's error ends mmdet's and mmseg's own tools with one line, as it
ends ours (``evit_dense.utils.run_tool``).

An uncaught ``UserError`` (a missing file, a broken annotation, a bad
config value) is printed as ``error: message``, its exit status still 1;
any other exception is a bug and goes to the previous hook with its
traceback.

An extension point: Python's ``sys.excepthook``, chained to the hook it
finds. Depends on no library version.
"""
import sys

from ..errors import UserError
from ..utils.cli import user_message
from .fix import Fix


def print_user_errors_briefly():
    """Show an uncaught ``UserError`` as ``error: message`` (the exit status
    stays 1); other exceptions go to the previous hook. Idempotent."""
    previous = sys.excepthook
    if getattr(previous, 'evit_dense_patched', False):
        return

    def excepthook(kind, error, traceback):
        if isinstance(error, UserError):
            print(f'error: {user_message(error)}', file=sys.stderr)
        else:
            previous(kind, error, traceback)

    excepthook.evit_dense_patched = True
    sys.excepthook = excepthook


FIX = Fix(
    name='user_errors',
    apply=print_user_errors_briefly,
    written_for={},
    registers=('sys.excepthook',))
