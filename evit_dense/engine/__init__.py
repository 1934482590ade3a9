"""Runtime support: MMEngine fixes for this torch (applied on import, see
``compat``), released whole-model checkpoint layouts loaded as they are
(``released_checkpoints``), and what the tools share (config loading, early
path checks)."""
from .compat import (allow_mmengine_checkpoint_globals,
                     enable_distributed_without_cuda)
from .paths import check_checkpoint_path, check_dataset_paths
from .released_checkpoints import convert_released_checkpoints_on_load
from .tool_config import (SCOPES, load_measured_model_config,
                          load_tool_config)

allow_mmengine_checkpoint_globals()
enable_distributed_without_cuda()
convert_released_checkpoints_on_load()

__all__ = ['allow_mmengine_checkpoint_globals',
           'enable_distributed_without_cuda', 'check_checkpoint_path',
           'convert_released_checkpoints_on_load',
           'check_dataset_paths', 'SCOPES', 'load_measured_model_config',
           'load_tool_config']
