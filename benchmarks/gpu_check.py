"""GPU check: cuDNN for every recurrent layer seqlab builds, then GPU vs CPU training samples/s.

1. Builds seqlab models with ``use_cudnn=True`` for ``lstm`` and ``gru`` (one layer,
   bidirectional, depth 2) and runs a training step on right-padded, masked batches: Keras
   raises when the cuDNN kernel cannot be used, so a pass proves seqlab's defaults are
   cuDNN-eligible. (``rnn`` = ``SimpleRNN`` has no cuDNN kernel in Keras.)
2. Trains the benchmark LSTM (embedding 64 -> LSTM 128, batch 64, length 100, Adam) on the GPU
   (float32 and ``mixed_float16``) and on the CPU, alternating, and reports samples/s.

Run it through ``benchmarks/gpu_check.sh`` (under 5 minutes on one GPU). Exits 2 without a GPU.
"""

import argparse
import sys

import numpy as np

from benchmarks import common
from benchmarks.against_pytorch import SIZES, _data

CUDNN_CELLS = ("lstm", "gru")
STRUCTURES = {"one layer": {}, "bidirectional": {"bidirectional": True}, "depth 2": {"depth": 2}}


def check_cudnn_layers():
    """Train one step of every cuDNN-capable seqlab stack with ``use_cudnn=True``; return lines of results."""
    import keras

    import seqlab
    from seqlab.data.batching import pad_sequences

    rng = np.random.default_rng(0)
    inputs = pad_sequences([rng.integers(1, 50, size=length) for length in (12, 7, 3, 9)])  # right padding
    labels = np.array([0, 1, 1, 0])
    lines = []
    for cell in CUDNN_CELLS:
        for structure, keywords in STRUCTURES.items():
            model = seqlab.build("many_to_one", vocab_size=50, num_classes=2, cell=cell, units=16,
                                 use_cudnn=True, **keywords)
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
            loss = model.train_on_batch(inputs, labels)
            lines.append(f"cuDNN {cell} {structure}: ok (loss {float(np.ravel(loss)[0]):.4f})")
            print(lines[-1], flush=True)
            keras.backend.clear_session()
    return lines


def main(argv=None):
    argument_parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    argument_parser.add_argument("--repeats", type=int, default=3)
    argument_parser.add_argument("--samples", type=int, default=6400, help="samples per GPU epoch")
    argument_parser.add_argument("--results-dir", default=str(common.RESULTS))
    arguments = argument_parser.parse_args(argv)
    import tensorflow as tf

    import seqlab
    from seqlab import distribute

    seqlab.training.configure_devices()
    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        cuda = "" if tf.test.is_built_with_cuda() else (
            " This TensorFlow build has no CUDA (tensorflow-cpu?): install `tensorflow[and-cuda]`.")
        print(f"gpu_check: TensorFlow sees no GPU here; nothing to check.{cuda}", file=sys.stderr)
        return 2
    cudnn_lines = check_cudnn_layers()
    cpu_samples = max(SIZES["batch_size"], arguments.samples // 10)
    variants = {}
    for name, device, policy, samples in (("gpu float32", "/GPU:0", "float32", arguments.samples),
                                          ("gpu mixed_float16", "/GPU:0", "mixed_float16", arguments.samples),
                                          ("cpu float32", "/CPU:0", "float32", cpu_samples)):
        previous = distribute.mixed_precision(policy)
        with tf.device(device):
            seqlab.training.seed_everything(0)
            inputs, labels = _data(samples)
            data = tf.data.Dataset.from_tensor_slices((inputs, labels)).batch(SIZES["batch_size"]).cache()
            model = seqlab.build("many_to_one", vocab_size=SIZES["vocab_size"], embedding_dim=SIZES["embedding_dim"],
                                 units=SIZES["units"], num_classes=SIZES["num_classes"])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        distribute.mixed_precision(previous)

        def run(model=model, data=data, device=device, samples=samples):
            with tf.device(device):
                return common.timed_rate(lambda: model.fit(data, epochs=1, verbose=0, shuffle=False), samples)
        variants[name] = run
    rates = common.interleave(variants, arguments.repeats)
    rows = common.rows_for("gpu_check", rates, "samples/s", baseline="cpu float32")
    details = tf.config.experimental.get_device_details(gpus[0])
    description = (f"GPU: {details.get('device_name', 'unknown')} (compute capability "
                   f"{details.get('compute_capability')}); benchmark LSTM as in `against_pytorch.md`; "
                   f"{arguments.samples} samples per GPU epoch, {cpu_samples} per CPU epoch; variants alternate, one "
                   f"warm-up epoch, {arguments.repeats} timed repeats.")
    common.write_report("gpu_check", title="GPU check: cuDNN layers and GPU vs CPU training",
                        command="bash benchmarks/gpu_check.sh", description=description, rows=rows,
                        notes=["\n".join(f"- {line}" for line in cudnn_lines),
                               "`rnn` (SimpleRNN) has no cuDNN kernel in Keras, so it is not in the list."],
                        results_dir=arguments.results_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
