#!/usr/bin/env bash
# The README's pruning study on the built-in toy data: the quick start's
# RetinaNet-M0 (trained here if missing) pruned at 0.3 and 0.5, each tested
# right after pruning and after a short fine-tune; FLOPs, parameters and
# latency of each model. Minutes on a 2-core CPU.
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-python3}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
CONFIG=configs/toy/retinanet_evit_m0_toy_coco.py
WORK_DIR=work_dirs/retinanet_evit_m0_toy_coco
FINETUNE_EPOCHS=${FINETUNE_EPOCHS:-6}

mkdir -p work_dirs/prune_study
[ -d data/toy_coco ] || "$PYTHON" tools/make_toy_coco.py data/toy_coco
[ -f "$WORK_DIR/epoch_24.pth" ] || \
    "$PYTHON" tools/train.py "$CONFIG" --work-dir "$WORK_DIR"

measure() {  # CONFIG CHECKPOINT LABEL
    echo "== $3"
    "$PYTHON" tools/test.py "$1" "$2" --work-dir "work_dirs/prune_study/test" \
        | grep -o 'coco/bbox_mAP: [0-9.]*  coco/bbox_mAP_50: [0-9.]*'
}

finetune() {  # CONFIG WORK_DIR [more --cfg-options]: prints its checkpoint
    "$PYTHON" tools/train.py "$1" --work-dir "$2" --cfg-options \
        train_cfg.max_epochs="$FINETUNE_EPOCHS" optim_wrapper.optimizer.lr=2e-4 \
        "${@:3}" > "$2.log"
    cat "$2/last_checkpoint"
}

measure "$CONFIG" "$WORK_DIR/epoch_24.pth" "trained, not pruned"
# The control: the same fine-tune without pruning.
measure "$CONFIG" "$(finetune "$CONFIG" work_dirs/prune_study/not_pruned \
    load_from="$WORK_DIR/epoch_24.pth")" \
    "not pruned, fine-tuned $FINETUNE_EPOCHS epochs"
for RATIO in 0.3 0.5; do
    OUT=work_dirs/prune_study/ratio_$RATIO
    PRUNED=$OUT/retinanet_evit_m0_toy_coco_pruned
    "$PYTHON" tools/analysis/prune.py "$CONFIG" "$WORK_DIR/epoch_24.pth" \
        --ratio "$RATIO" --out-dir "$OUT"
    measure "$PRUNED.py" "$PRUNED.pth" "ratio $RATIO, right after pruning"
    measure "$PRUNED.py" "$(finetune "$PRUNED.py" "$OUT/finetune")" \
        "ratio $RATIO, fine-tuned $FINETUNE_EPOCHS epochs"
    echo "== complexity, 128x128 (ratio $RATIO vs not pruned)"
    for MODEL in "$CONFIG" "$PRUNED.py"; do
        "$PYTHON" tools/analysis/complexity.py "$MODEL" --shape 128 128 \
            --with-head | grep -E '^(backbone|total) '
    done
done
echo "== latency, 512x512"
"$PYTHON" tools/benchmark.py model "$CONFIG" --shape 512 512 \
    --references work_dirs/prune_study/ratio_0.3/retinanet_evit_m0_toy_coco_pruned.py \
    work_dirs/prune_study/ratio_0.5/retinanet_evit_m0_toy_coco_pruned.py
