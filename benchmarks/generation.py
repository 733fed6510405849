"""Generation: sampling with the one-step model that carries the state vs re-encoding the history.

A character-level LSTM generator (``seqlab.build("one_to_many", ...)``: vocabulary 60,
embedding 64, LSTM 256) samples 500 tokens with ``seqlab.sampling.sample``. The stateful way
feeds one token and the states to the ``step`` model; the keras-io text-generation way feeds
the whole growing history to the ``train`` model at every step and keeps the last output
(work grows with the square of the length). The same sampler drives every variant, only the
step function differs. The re-encoding model runs as a compiled ``tf.function`` (one trace for
any length), its fastest form; the stateful step runs as seqlab runs it (one traced tf.function). Rates are generated tokens per second.

    .venv/bin/python -m benchmarks.generation [--quick]
"""

import argparse
import sys

import numpy as np

from benchmarks import common

SIZES = {"vocab_size": 60, "embedding_dim": 64, "units": 256}


def reencoding_step_function(train_model):
    """A step function whose 'state' is the history: the whole prefix goes through ``train_model`` each step."""
    import tensorflow as tf

    encode = tf.function(lambda ids: train_model(ids, training=False),
                         input_signature=[tf.TensorSpec((1, None), tf.int32)])

    def step(element, history):
        history = [*history, int(element)]
        probabilities = encode(tf.constant([history], dtype=tf.int32))
        return np.asarray(probabilities[0, -1]), history

    return step


def largest_difference(generator, tokens):
    """Largest gap between the step model's next-token probabilities and the full model's along ``tokens``."""
    from seqlab.sampling import initial_states, model_step_function

    sequence = [1, *[int(token) for token in tokens]]
    full = np.asarray(generator.train(np.array([sequence], dtype="int32"), training=False))[0]
    step_function, states, gaps = model_step_function(generator.step), initial_states(generator.step), []
    for position, token in enumerate(sequence):
        probabilities, states = step_function(token, states)
        gaps.append(np.abs(probabilities - full[position]).max())
    return float(max(gaps))


def main(argv=None):
    argument_parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    argument_parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    argument_parser.add_argument("--steps", type=int, default=500)
    argument_parser.add_argument("--repeats", type=int, default=2)
    argument_parser.add_argument("--results-dir", default=str(common.RESULTS))
    arguments = argument_parser.parse_args(argv)
    import seqlab
    from seqlab.sampling import initial_states, model_step_function, sample

    steps = 30 if arguments.quick else arguments.steps
    repeats = 1 if arguments.quick else arguments.repeats
    seqlab.training.seed_everything(0)
    generator = seqlab.build("one_to_many", **SIZES)
    step_functions = {
        "stateful step model (seqlab sample)": (model_step_function(generator.step),
                                                lambda: initial_states(generator.step)),
        "re-encode history every step, tf.function": (reencoding_step_function(generator.train), lambda: []),
    }
    outputs = {}
    variants = {}
    for name, (step_function, states) in step_functions.items():
        def run(step_function=step_function, states=states, name=name):
            def work():
                outputs[name] = sample(step_function, states(), prime=[1], steps=steps, temperature=0.0)
            return common.timed_rate(work, steps)
        variants[name] = run
    for step_function, states in step_functions.values():  # trace every tf.function before timing
        sample(step_function, states(), prime=[1], steps=3, temperature=0.0)
    rates = common.interleave(variants, repeats, warmup=0)
    difference = largest_difference(generator, outputs["stateful step model (seqlab sample)"][:50])
    rows = common.rows_for("generation", rates, "tokens/s", baseline="re-encode history every step, tf.function")
    description = (
        f"Untrained generator (speed does not depend on the weights): embedding {SIZES['embedding_dim']}, LSTM "
        f"{SIZES['units']}, vocabulary {SIZES['vocab_size']}; {steps} tokens per measurement after a one-token "
        f"prime, greedy decoding (temperature 0); variants alternate, "
        f"a 3-token warm-up of each (tracing), then {repeats} timed repeats. Goal: ratio >= 10.")
    notes = [f"Both ways compute the same distributions: along the first 50 generated tokens, the step model's "
             f"next-token probabilities and the full model's differ by at most {difference:.1e}. (The untrained "
             "model's distributions are nearly flat, so greedy picks can still differ between the ways where two "
             "probabilities tie to float32 rounding.)",
             "`seqlab.sampling.model_step_function` runs the step model as one traced `tf.function` (an eager "
             "Keras call per token was slower than re-encoding in an earlier run of this benchmark)."]
    common.write_report("generation", title="Generation: stateful step model vs re-encoding the history",
                        command=common.command_line("benchmarks.generation", argv or sys.argv[1:]),
                        description=description, rows=rows, notes=notes, results_dir=arguments.results_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
