"""How the tools end: an error that is the user's to fix prints one message
and exits with status 1; anything else is a bug and keeps its traceback.

Our tools call ``run_tool``. mmdet's and mmseg's own tools get the same
through ``sys.excepthook`` (``evit_dense.runtime.user_errors``, applied on
import): only an uncaught ``UserError`` changes how it is shown.
"""
import sys

from ..errors import UserError

# torch re-raises a dataloader worker's exception with the worker's
# traceback in the message; the user's message is its last line.
WORKER_TRACEBACK_MARK = 'Original Traceback'


def user_message(error):
    """The message of ``error`` without a dataloader worker's traceback."""
    message = str(error)
    if WORKER_TRACEBACK_MARK in message:
        last_line = message.rstrip().splitlines()[-1]
        message = last_line.split(': ', 1)[-1]
    return message


def run_tool(main):
    """Run a tool's ``main()``; a ``UserError`` ends it with ``error:`` and
    its message on stderr, exit status 1."""
    try:
        main()
    except UserError as error:
        sys.exit(f'error: {user_message(error)}')

