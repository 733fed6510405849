"""NADE exclusive sums over the keys: a matmul with triangular ones (seqlab) vs ``cumsum - contributions``.

``seqlab.nade.frame_logits`` gets the pre-activations of the NADE hidden units, the sums of
``v_j W[:, j]`` over the keys ``j < i`` below each key ``i``, as one product with a strictly
upper-triangular ``(K, K)`` matrix of ones (``O(K^2 H)`` multiply-adds per frame). The
alternative is the exclusive cumulative sum ``ops.cumsum(contributions, axis=-1) -
contributions`` (``O(K H)``), written here as :func:`frame_logits_cumsum`, a copy of
``frame_logits`` with only that line changed. Each measured step is the forward and backward
pass of the NADE negative log-likelihood (``tf.GradientTape`` over the ``NADE`` layer's
weights, inside one ``tf.function``) at two sizes: the music notebook's realistic one (16
pieces x 100 frames x 88 keys, 150 hidden units) and a small one (8 x 32 x 88, 64 hidden
units); float32. Both variants are checked to give the same logits before timing. Figures
are milliseconds per step (lower is faster); ratio = the variant's median over the matmul
variant's median.

    .venv/bin/python -m benchmarks.nade_sums [--quick] [--repeats 15]
"""

import argparse
import sys

import numpy as np

from benchmarks import common

# (batch, time, keys, NADE hidden units, steps per measurement)
SIZES = {"notebook": (16, 100, 88, 150, 1), "small": (8, 32, 88, 64, 10)}
QUICK_SIZES = {"notebook": (2, 8, 88, 16, 1), "small": (2, 4, 88, 8, 1)}
RNN_UNITS = 64  # the music notebook's LSTM: the NADE biases are Dense maps of its output
KEYS_ON = 4  # about four keys sound in a chorale frame (speed does not depend on it)
MATMUL = "matmul with triangular ones (seqlab frame_logits)"
CUMSUM = "cumsum - contributions"


def frame_logits_cumsum(frames, visible_bias, hidden_bias, visible_to_hidden, hidden_to_visible):
    """``seqlab.nade.frame_logits`` with the exclusive sum as ``cumsum(contributions) - contributions``."""
    from keras import ops

    frames = ops.cast(frames, visible_bias.dtype)
    contributions = ops.expand_dims(frames, -2) * visible_to_hidden  # (..., H, K): column j is v_j W[:, j]
    below = ops.cumsum(contributions, axis=-1) - contributions  # exclusive: column i sums the keys j < i
    hidden = ops.sigmoid(ops.expand_dims(hidden_bias, -1) + below)  # (..., H, K): column i is h_i
    return visible_bias + ops.sum(hidden * ops.transpose(hidden_to_visible), axis=-2)


def prepare(batch, time, keys, units, seed=0):
    """A built ``NADE`` layer, an RNN output and 0/1 frames of the given size (float32)."""
    from seqlab.nade import NADE

    rng = np.random.default_rng(seed)
    rnn_output = rng.standard_normal((batch, time, RNN_UNITS)).astype("float32")
    frames = (rng.random((batch, time, keys)) < KEYS_ON / keys).astype("float32")
    nade = NADE(num_visible=keys, units=units)
    nade.build([rnn_output.shape, frames.shape])
    return nade, rnn_output, frames


def logits_function(nade, logits):
    """``(rnn_output, frames) -> logits`` of ``nade``'s weights through ``logits`` (one of the two variants)."""
    def compute(rnn_output, frames):
        return logits(frames, nade.visible_bias(rnn_output), nade.hidden_bias(rnn_output), nade.visible_to_hidden,
                      nade.hidden_to_visible)
    return compute


def training_step(nade, logits):
    """A ``tf.function``: NADE NLL per frame (mean) and its gradients with respect to all of ``nade``'s weights."""
    import tensorflow as tf
    from keras import ops

    compute = logits_function(nade, logits)

    @tf.function
    def step(rnn_output, frames):
        with tf.GradientTape() as tape:
            values = compute(rnn_output, frames)
            log_likelihood = ops.sum(frames * ops.log_sigmoid(values) + (1.0 - frames) * ops.log_sigmoid(-values),
                                     axis=-1)
            loss = -ops.mean(log_likelihood)
        gradients = tape.gradient(loss, nade.trainable_variables)
        return loss, gradients
    return step


def largest_differences(nade, steps, rnn_output, frames):
    """Largest absolute gaps between the variants: logits, and gradients relative to the largest gradient entry.

    ``steps`` is ``{variant: training_step}`` (its gradients are compared); the logits are computed eagerly.
    """
    from seqlab.nade import frame_logits

    logits = {name: np.asarray(logits_function(nade, function)(rnn_output, frames))
              for name, function in ((MATMUL, frame_logits), (CUMSUM, frame_logits_cumsum))}
    gradients = {name: [np.asarray(gradient) for gradient in step(rnn_output, frames)[1]]
                 for name, step in steps.items()}
    logit_gap = float(np.abs(logits[MATMUL] - logits[CUMSUM]).max())
    gradient_gap = max(float(np.abs(a - b).max() / max(np.abs(a).max(), 1e-12))
                       for a, b in zip(gradients[MATMUL], gradients[CUMSUM]))
    return logit_gap, gradient_gap


def main(argv=None):
    argument_parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    argument_parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    argument_parser.add_argument("--repeats", type=int, default=15)
    argument_parser.add_argument("--results-dir", default=str(common.RESULTS))
    arguments = argument_parser.parse_args(argv)
    import tensorflow as tf

    import seqlab
    from seqlab.nade import frame_logits

    repeats = 1 if arguments.quick else arguments.repeats
    sizes = QUICK_SIZES if arguments.quick else SIZES
    rows, notes, described = [], [], []
    for label, (batch, time, keys, units, steps) in sizes.items():
        seqlab.training.seed_everything(0)
        nade, rnn_output, frames = prepare(batch, time, keys, units)
        rnn_tensor, frames_tensor = tf.constant(rnn_output), tf.constant(frames)
        steps_by_variant = {name: training_step(nade, function)
                            for name, function in ((MATMUL, frame_logits), (CUMSUM, frame_logits_cumsum))}
        logit_gap, gradient_gap = largest_differences(nade, steps_by_variant, rnn_tensor, frames_tensor)
        if not logit_gap < 1e-4:
            print(f"{label}: the variants' logits differ by {logit_gap:.2e} (>= 1e-4); not timing them.",
                  file=sys.stderr)
            return 1
        variants = {}
        for name, step in steps_by_variant.items():
            def run(step=step):
                def work():
                    for _ in range(steps):
                        loss, gradients = step(rnn_tensor, frames_tensor)
                    float(loss), [np.asarray(gradient) for gradient in gradients]  # wait for the results
                return 1000.0 / common.timed_rate(work, steps)  # milliseconds per step
            variants[name] = run
        print(f"== {label}: batch {batch} x {time} frames x {keys} keys, H={units}, {steps} step(s) per measurement",
              flush=True)
        times = common.interleave(variants, repeats, warmup=1)
        benchmark = f"nade_sums/{label} {batch}x{time}x{keys} H={units}"
        rows += common.rows_for(benchmark, times, "ms/step", baseline=MATMUL)
        matmul_flops = 2 * batch * time * units * keys * keys
        cumsum_flops = 2 * batch * time * units * keys
        notes.append(f"{benchmark}: logits of the two variants differ by at most {logit_gap:.1e} (checked < 1e-4 "
                     f"before timing); gradients by at most {gradient_gap:.1e} of the largest gradient entry. The "
                     f"forward exclusive sum is {common.format_number(matmul_flops / 1e6)} MFLOP as a matmul vs "
                     f"{common.format_number(cumsum_flops / 1e6)} MFLOP as a cumsum minus the contributions (two "
                     "adds per element).")
        described.append(f"{label}: {batch} pieces x {time} frames x {keys} keys, H={units}, {steps} "
                         f"step{'s' if steps > 1 else ''} per measurement")
    notes.append("The matmul does K = 88 times the arithmetic of the cumulative sum but runs as one dense product "
                 "(oneDNN/Eigen, vectorized and multi-threaded), while TensorFlow's CPU cumsum and its gradient (a "
                 "reverse cumsum) are sequential scans along the keys; where the ratio is above 1 the matmul in "
                 "`seqlab.nade.frame_logits` is the faster choice on this CPU.")
    description = (
        f"Forward + backward of the NADE negative log-likelihood (mean over frames), gradients with respect to all "
        f"weights of a `seqlab.nade.NADE` layer (W, V and the two Dense bias maps of a {RNN_UNITS}-unit RNN "
        f"output), one `tf.function` per variant, float32, random 0/1 frames with about {KEYS_ON} keys on. Sizes: "
        f"{'; '.join(described)}. Per size, variants alternate (A, B, A, B), one warm-up round (tracing), then "
        f"{repeats} timed repeats; figures are milliseconds per step, lower is faster, ratio = variant median / "
        "matmul median (ratio < 1: cumsum is faster).")
    common.write_report("nade_sums", title="NADE exclusive sums: triangular matmul vs cumsum",
                        command=common.command_line("benchmarks.nade_sums", argv or sys.argv[1:]),
                        description=description, rows=rows, notes=notes, results_dir=arguments.results_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
