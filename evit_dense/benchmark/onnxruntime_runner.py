"""A whole model exported by mmdeploy and run by mmdeploy's ONNX Runtime
wrapper, as mmdeploy's ``tools/test.py`` runs it. mmdeploy and onnxruntime
are imported only when an ONNX Runtime row is built."""
import os
import tempfile
from pathlib import Path

import torch

# The deploy configs of the source tree, one per task.
DEPLOY_CONFIGS = Path(__file__).resolve().parents[2] / 'configs' / 'deploy'


def onnxruntime_model(model, cfg, shape, device):
    """``model``, built from ``cfg``, exported by mmdeploy (our deploy
    config for its task) and loaded in mmdeploy's ONNX Runtime wrapper."""
    import cv2
    import numpy as np
    from mmdeploy.apis import build_task_processor, torch2onnx
    from mmdeploy.utils import load_config

    task = ('segmentation' if hasattr(model, 'decode_head') else
            'instance-seg' if getattr(model, 'with_mask', False) else
            'detection')
    deploy_cfg, model_cfg = load_config(
        str(DEPLOY_CONFIGS / f'{task}_onnxruntime_dynamic.py'), cfg)
    with tempfile.TemporaryDirectory() as work_dir:
        checkpoint = os.path.join(work_dir, 'model.pth')
        torch.save(dict(state_dict=model.state_dict()), checkpoint)
        image = os.path.join(work_dir, 'image.png')
        cv2.imwrite(image, np.random.default_rng(0).integers(
            0, 256, (*shape, 3), dtype=np.uint8))
        torch2onnx(image, work_dir, 'end2end.onnx', deploy_cfg, model_cfg,
                   checkpoint, device=device)
        return build_task_processor(model_cfg, deploy_cfg, device) \
            .build_backend_model([os.path.join(work_dir, 'end2end.onnx')])


def onnxruntime_version():
    import onnxruntime
    return onnxruntime.__version__
