"""The physical limit: float32 matmul peak (numpy and TensorFlow) and the share one LSTM training step reaches.

Measures GFLOP/s of large square float32 products (the machine's practical peak), of the
small products an LSTM step is made of (batch 64 x ``[x, a]`` 192 -> 4 gates x 128 = 512),
and of training the benchmark LSTM (embedding 64 -> LSTM 128 -> softmax 2, batch 64,
length 100) with FLOPs counted by ``benchmarks.common.lstm_training_flops``. The variants
alternate, several repeats.

    .venv/bin/python -m benchmarks.physical_limit [--quick]
"""

import argparse
import sys

import numpy as np
import threadpoolctl

from benchmarks import common
from benchmarks.against_pytorch import SIZES, _data


def main(argv=None):
    argument_parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    argument_parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    argument_parser.add_argument("--repeats", type=int, default=3)
    argument_parser.add_argument("--size", type=int, default=1024, help="side of the large square matrices")
    argument_parser.add_argument("--results-dir", default=str(common.RESULTS))
    arguments = argument_parser.parse_args(argv)
    import tensorflow as tf

    import seqlab

    repeats = 1 if arguments.quick else arguments.repeats
    size = 256 if arguments.quick else arguments.size
    samples = 128 if arguments.quick else 256
    rng = np.random.default_rng(0)
    square = rng.standard_normal((size, size)).astype("float32")
    gate_input_dim = SIZES["embedding_dim"] + SIZES["units"]
    small_left = rng.standard_normal((SIZES["batch_size"], gate_input_dim)).astype("float32")
    small_right = rng.standard_normal((gate_input_dim, 4 * SIZES["units"])).astype("float32")
    small_count = 20 if arguments.quick else 200
    square_tensor, small_left_tensor, small_right_tensor = (tf.constant(square), tf.constant(small_left),
                                                            tf.constant(small_right))

    @tf.function
    def tf_square():
        return tf.matmul(square_tensor, square_tensor)

    @tf.function
    def tf_small_loop():
        left = small_left_tensor
        for _ in tf.range(small_count):  # each product feeds the next, as in a recurrence
            left = tf.matmul(left, small_right_tensor)[:, :gate_input_dim] * 0.01
        return left

    def gflops(work, flops):
        return common.timed_rate(work, flops) / 1e9

    square_flops, small_flops = 2 * size ** 3, 2 * small_count * small_left.shape[0] * gate_input_dim * 4 * SIZES["units"]

    def numpy_small():
        for _ in range(small_count):
            small_left @ small_right

    def one_thread(work):
        def run():
            with threadpoolctl.threadpool_limits(1):
                work()
        return run

    seqlab.training.seed_everything(0)
    inputs, labels = _data(samples)
    data = tf.data.Dataset.from_tensor_slices((inputs, labels)).batch(SIZES["batch_size"]).cache()
    model = seqlab.build("many_to_one", vocab_size=SIZES["vocab_size"], embedding_dim=SIZES["embedding_dim"],
                         units=SIZES["units"], num_classes=SIZES["num_classes"])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    sample_flops = common.lstm_training_flops(batch=1, time=SIZES["length"], input_dim=SIZES["embedding_dim"],
                                              units=SIZES["units"], num_classes=SIZES["num_classes"])
    variants = {
        f"numpy matmul {size}x{size}": lambda: gflops(lambda: square @ square, square_flops),
        f"tensorflow matmul {size}x{size}": lambda: gflops(lambda: tf_square().numpy(), square_flops),
        f"numpy matmul {size}x{size}, 1 thread": lambda: gflops(one_thread(lambda: square @ square), square_flops),
        f"numpy matmul 64x{gate_input_dim} @ {gate_input_dim}x{4 * SIZES['units']} (LSTM gate size)":
            lambda: gflops(numpy_small, small_flops),
        f"numpy matmul 64x{gate_input_dim} @ {gate_input_dim}x{4 * SIZES['units']} (LSTM gate size), 1 thread":
            lambda: gflops(one_thread(numpy_small), small_flops),
        f"tensorflow matmul 64x{gate_input_dim} @ {gate_input_dim}x{4 * SIZES['units']} (LSTM gate size)":
            lambda: gflops(lambda: tf_small_loop().numpy(), small_flops),
        "seqlab LSTM training step (keras tf)": lambda: gflops(lambda: model.fit(data, epochs=1, verbose=0, shuffle=False),
                                                               sample_flops * samples),
    }
    rates = common.interleave(variants, repeats)
    peak_name = f"numpy matmul {size}x{size}"
    rows = common.rows_for("physical_limit", rates, "GFLOP/s", baseline=peak_name)
    lstm = common.summarize(rates["seqlab LSTM training step (keras tf)"])["median"]
    peak = max(common.summarize(values)["median"] for name, values in rates.items() if f"{size}x{size}" in name)
    small = max(common.summarize(values)["median"] for name, values in rates.items() if "gate size" in name)
    step_seconds = sample_flops * SIZES["batch_size"] / (lstm * 1e9)
    per_recurrent_step = step_seconds / SIZES["length"] / 3 * 1e6
    notes = [
        f"One training sample is {sample_flops / 1e6:.1f} MFLOP of matrix products (forward: 2 x (64 + 128) x 4 x 128 "
        f"per time step x {SIZES['length']} steps, plus the dense head; backward counted as twice the forward; "
        "element-wise gate arithmetic, embedding and optimizer left out). The LSTM row's GFLOP/s = samples/s x that.",
        f"**Share of the peak**: the LSTM step reaches {lstm:.1f} GFLOP/s = {lstm / peak:.0%} of the large-matrix peak "
        f"({peak:.1f} GFLOP/s, the better of numpy and TensorFlow) and {lstm / small:.0%} of what the same library "
        f"code reaches on products of the LSTM's own shape ({small:.1f} GFLOP/s).",
        "**What bounds it**: the recurrence is sequential, so each of the 100 time steps is a product of a "
        f"64 x {gate_input_dim} by {gate_input_dim} x {4 * SIZES['units']} matrix (about 12.6 MFLOP) followed by "
        "element-wise gate work; such small products cannot keep the cores' vector units busy the way a "
        f"{size} x {size} product does (compare the two matmul sizes above), and each step adds fixed per-operation "
        f"overhead (op dispatch inside TensorFlow's while loop, about {per_recurrent_step:.0f} microseconds per "
        "forward-or-backward recurrent step at the measured rate). Memory traffic is small (the weights, about "
        "400 KB, stay in cache). So the limit is small matrices plus per-step overhead, not memory bandwidth or "
        "Python (one `fit` step runs the whole sequence in the TensorFlow graph).",
    ]
    description = (f"Large products: {size} x {size} float32 (`@` in numpy, `tf.matmul` in a `tf.function`); small "
                   f"products: {small_count} products of the LSTM gate shape per measurement; LSTM: {samples} samples "
                   f"per `fit` epoch, batch {SIZES['batch_size']}, length {SIZES['length']}. Variants alternate, one "
                   f"warm-up round, {repeats} timed repeats. Ratio: GFLOP/s over the numpy large-matrix figure.")
    common.write_report("physical_limit", title="The physical limit: matmul peak and the LSTM step's share",
                        command=common.command_line("benchmarks.physical_limit", argv or sys.argv[1:]),
                        description=description, rows=rows, notes=notes, results_dir=arguments.results_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
