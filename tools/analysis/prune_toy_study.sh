#!/usr/bin/env bash
# The README's pruning study on the built-in toy data: a toy RetinaNet
# (CONFIG, by default the quick start's RetinaNet-M0; trained here if
# missing) pruned at 0.3 and 0.5, each tested right after pruning and after
# a short fine-tune; FLOPs, parameters and latency of each model. Minutes on
# a 2-core CPU. MIT's family:
#   CONFIG=configs/efficientvit_mit/toy/retinanet_evit_b0_toy_coco.py \
#       bash tools/analysis/prune_toy_study.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-python3}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
CONFIG=${CONFIG:-configs/toy/retinanet_evit_m0_toy_coco.py}
NAME=$(basename "$CONFIG" .py)
WORK_DIR=work_dirs/$NAME
STUDY_DIR=work_dirs/prune_study/$NAME
FINETUNE_EPOCHS=${FINETUNE_EPOCHS:-6}

mkdir -p "$STUDY_DIR"
[ -d data/toy_coco ] || "$PYTHON" tools/make_toy_coco.py data/toy_coco
[ -f "$WORK_DIR/last_checkpoint" ] || \
    "$PYTHON" tools/train.py "$CONFIG" --work-dir "$WORK_DIR"
TRAINED=$(cat "$WORK_DIR/last_checkpoint")

measure() {  # CONFIG CHECKPOINT LABEL
    echo "== $3"
    "$PYTHON" tools/test.py "$1" "$2" --work-dir "$STUDY_DIR/test" \
        | grep -o 'coco/bbox_mAP: [0-9.]*  coco/bbox_mAP_50: [0-9.]*'
}

finetune() {  # CONFIG WORK_DIR [more --cfg-options]: prints its checkpoint
    "$PYTHON" tools/train.py "$1" --work-dir "$2" --cfg-options \
        train_cfg.max_epochs="$FINETUNE_EPOCHS" optim_wrapper.optimizer.lr=2e-4 \
        "${@:3}" > "$2.log"
    cat "$2/last_checkpoint"
}

measure "$CONFIG" "$TRAINED" "trained, not pruned"
# The control: the same fine-tune without pruning.
measure "$CONFIG" "$(finetune "$CONFIG" "$STUDY_DIR/not_pruned" \
    load_from="$TRAINED")" \
    "not pruned, fine-tuned $FINETUNE_EPOCHS epochs"
for RATIO in 0.3 0.5; do
    OUT=$STUDY_DIR/ratio_$RATIO
    PRUNED=$OUT/${NAME}_pruned
    "$PYTHON" tools/analysis/prune.py "$CONFIG" "$TRAINED" \
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
    --references "$STUDY_DIR/ratio_0.3/${NAME}_pruned.py" \
    "$STUDY_DIR/ratio_0.5/${NAME}_pruned.py"
