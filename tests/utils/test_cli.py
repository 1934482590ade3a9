import pytest

from evit_dense.errors import DataError, MissingFileError
from evit_dense.utils import run_tool, user_message


def test_user_error_exits_with_its_message():
    def main():
        raise MissingFileError('config file "x.py" does not exist')

    with pytest.raises(SystemExit) as exit_:
        run_tool(main)
    assert exit_.value.code == 'error: config file "x.py" does not exist'


def test_other_errors_keep_their_traceback():
    def main():
        raise KeyError('a bug')

    with pytest.raises(KeyError):
        run_tool(main)


def test_worker_traceback_is_cut_to_the_users_message():
    # how torch re-raises an exception from a dataloader worker
    error = DataError('Caught DataError in DataLoader worker process 0.\n'
                      'Original Traceback (most recent call last):\n'
                      '  File "x.py", line 1, in f\n'
                      'evit_dense.errors.DataError: label map "a.png" is '
                      '3x4 but its image "a.jpg" is 6x8\n')
    assert user_message(error) == ('label map "a.png" is 3x4 but its image '
                                   '"a.jpg" is 6x8')
