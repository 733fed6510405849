#!/usr/bin/env bash
# GPU check (under 5 minutes on one GPU): cuDNN for every seqlab recurrent layer with use_cudnn=True,
# then GPU (float32, mixed_float16) vs CPU training samples/s of the benchmark LSTM.
# Writes results/benchmarks/gpu_check.md and its rows of results/benchmarks/summary.csv.
#   bash benchmarks/gpu_check.sh            (from anywhere; PYTHON=... to choose the interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${PYTHON:-}" ]]; then
    if [[ -x .venv/bin/python ]]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || { echo "gpu_check: no nvidia-smi, no GPU" >&2; exit 2; }
"$PYTHON" -c "import tensorflow as tf, keras; print('tensorflow', tf.__version__, 'keras', keras.__version__, 'built with CUDA', tf.test.is_built_with_cuda())"
exec timeout 290 "$PYTHON" -m benchmarks.gpu_check "$@"
