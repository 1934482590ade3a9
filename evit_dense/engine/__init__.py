"""Runtime support, applied on import so that it also holds when mmdet's or
mmseg's own tools load one of our configs: MMEngine fixes for this torch
(``compat``), released whole-model checkpoint layouts loaded as they are
(``released_checkpoints``), mmdeploy's export (``mmdeploy_export``), fault
tolerance (``exact_resume``,
``checkpoint_io``, ``finite_loss``), and what the tools share (config
loading, early path checks, ``cli``)."""
from .checkpoint_io import make_checkpoint_io_safe
from .cli import print_user_errors_briefly
from .compat import (allow_mmengine_checkpoint_globals,
                     enable_distributed_without_cuda)
from .exact_resume import enable_exact_resume
from .finite_loss import stop_on_nonfinite_loss
from .mmdeploy_export import export_torchscript_for_mmdeploy
from .paths import check_checkpoint_path, check_dataset_paths
from .released_checkpoints import convert_released_checkpoints_on_load
from .tool_config import (SCOPES, load_measured_model_config,
                          load_tool_config)

allow_mmengine_checkpoint_globals()
enable_distributed_without_cuda()
convert_released_checkpoints_on_load()
make_checkpoint_io_safe()
enable_exact_resume()
stop_on_nonfinite_loss()
export_torchscript_for_mmdeploy()
print_user_errors_briefly()

__all__ = ['allow_mmengine_checkpoint_globals',
           'enable_distributed_without_cuda', 'check_checkpoint_path',
           'convert_released_checkpoints_on_load', 'enable_exact_resume',
           'make_checkpoint_io_safe', 'print_user_errors_briefly',
           'export_torchscript_for_mmdeploy', 'stop_on_nonfinite_loss',
           'check_dataset_paths', 'SCOPES', 'load_measured_model_config',
           'load_tool_config']
