"""What the tools share, none of it a patch: the config a tool runs
(``config``), early checks of the paths it names (``paths``), how it ends
on a user's error (``cli``) and files written whole (``files``)."""
from .cli import run_tool, user_message
from .config import SCOPES, load_measured_model_config, load_tool_config
from .files import write_atomically
from .paths import check_checkpoint_path, check_dataset_paths

__all__ = ['SCOPES', 'check_checkpoint_path', 'check_dataset_paths',
           'load_measured_model_config', 'load_tool_config', 'run_tool',
           'user_message', 'write_atomically']
