#!/usr/bin/env bash
# Distributed testing over torchrun:
#   dist_test.sh CONFIG CHECKPOINT NUM_PROCS [ARGS].
# Multi-node: set NNODES, NODE_RANK, MASTER_ADDR and PORT on each node.
set -euo pipefail

CONFIG=$1
CHECKPOINT=$2
NPROCS=$3
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}

PYTHONPATH="$(dirname "$0")/..":${PYTHONPATH:-} \
python3 -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$NPROCS" \
    --master_port="$PORT" \
    "$(dirname "$0")/test.py" \
    "$CONFIG" \
    "$CHECKPOINT" \
    --launcher pytorch "${@:4}"
