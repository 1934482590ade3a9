#!/usr/bin/env bash
# Installs evit_dense with its pinned OpenMMLab stack into the current Python.
# Safe to run again: pip skips what is already installed, and the mmcv wheel
# compiled on the first run (about 12 minutes on 2 cores) stays in pip's cache.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

# torch first: mmcv 2.1.0 has no wheel for it and compiles against it.
"$PYTHON" -m pip install -r requirements/build.txt
MMCV_WITH_OPS=1 "$PYTHON" -m pip install --no-build-isolation \
    -r requirements/runtime.txt -r requirements/tests.txt -r requirements/deploy.txt
# mmdeploy without its stale onnx/protobuf pins (see requirements/mmdeploy.txt).
"$PYTHON" -m pip install -r requirements/mmdeploy.txt
"$PYTHON" -m pip install --no-deps mmdeploy==1.3.1
"$PYTHON" -m pip install --no-build-isolation --no-deps -e .
"$PYTHON" -c "import mmcv.ops, mmdet, mmseg, mmdeploy, onnxruntime, evit_dense; print('evit_dense', evit_dense.__version__, 'ready')"
