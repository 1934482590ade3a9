"""Runtime support: MMEngine fixes for this torch (applied on import, see
``compat``) and what the tools share (config loading, early path checks)."""
from .compat import (allow_mmengine_checkpoint_globals,
                     enable_distributed_without_cuda)
from .paths import check_checkpoint_path, check_dataset_paths
from .tool_config import (SCOPES, load_measured_model_config,
                          load_tool_config)

allow_mmengine_checkpoint_globals()
enable_distributed_without_cuda()

__all__ = ['allow_mmengine_checkpoint_globals',
           'enable_distributed_without_cuda', 'check_checkpoint_path',
           'check_dataset_paths', 'SCOPES', 'load_measured_model_config',
           'load_tool_config']
