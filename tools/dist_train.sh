#!/usr/bin/env bash
# Distributed training over torchrun: dist_train.sh CONFIG NUM_PROCS [ARGS].
# One process per GPU; without CUDA, processes on the CPU with the gloo
# backend (see evit_dense/runtime/distributed_without_cuda.py). Multi-node: set NNODES,
# NODE_RANK, MASTER_ADDR and PORT on each node.
set -euo pipefail

CONFIG=$1
NPROCS=$2
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
    "$(dirname "$0")/train.py" \
    "$CONFIG" \
    --launcher pytorch "${@:3}"
