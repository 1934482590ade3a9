"""Errors that are the user's to fix: missing or corrupt files, bad data,
a wrong checkpoint, a bad config value, a diverged loss.

The tools print these as one message and exit non-zero, without a
traceback (see ``evit_dense.utils.cli``); every other exception is a bug
and keeps its traceback. Each class also derives from the built-in error a
caller would catch for it (``FileNotFoundError``, ``ValueError``...).
"""


class UserError(Exception):
    """Base class: the message says what is wrong and names the file,
    setting or iteration."""


class MissingFileError(UserError, FileNotFoundError):
    """A file or folder the command line or config names does not exist."""


class ConfigError(UserError, ValueError):
    """A config value or command-line flag that cannot work."""


class UnknownArchError(ConfigError, KeyError):
    """An ``arch`` that is neither a known name nor a valid table."""

    def __str__(self):
        # KeyError quotes its message; this one is a sentence.
        return str(self.args[0]) if self.args else ''


class CorruptFileError(UserError, ValueError):
    """A file that exists but cannot be read as what it should be:
    a truncated checkpoint, an annotation file that is not valid JSON."""


class DataError(UserError, ValueError):
    """Data whose parts do not fit together: an annotation of an unknown
    image or category, a label map of another size than its image."""


class UnreadableImageError(DataError):
    """An image file that is truncated or cannot be decoded."""


class NonFiniteLossError(UserError, FloatingPointError):
    """The training loss became NaN or infinite."""
