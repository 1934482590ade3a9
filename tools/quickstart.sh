#!/usr/bin/env bash
# The README's quick start, minutes on a CPU: installs the package, writes
# the toy COCO set, trains RetinaNet-M0 on it from scratch, tests it (prints
# COCO mAP) and draws its predictions on a validation image.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
# The toy model is too small to gain from more threads, and threads fighting
# over busy cores slow it down many-fold.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
CONFIG=configs/toy/retinanet_evit_m0_toy_coco.py
WORK_DIR=work_dirs/retinanet_evit_m0_toy_coco
IMAGE=data/toy_coco/val2017/000000000001.jpg

bash tools/install.sh
"$PYTHON" tools/make_toy_coco.py data/toy_coco
"$PYTHON" tools/train.py "$CONFIG" --work-dir "$WORK_DIR"
CHECKPOINT=$(cat "$WORK_DIR/last_checkpoint")
"$PYTHON" tools/test.py "$CONFIG" "$CHECKPOINT" --work-dir "$WORK_DIR"
"$PYTHON" tools/demo.py "$IMAGE" "$CONFIG" "$CHECKPOINT" \
    --out-file "$WORK_DIR/demo.png"
