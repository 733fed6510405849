"""Sampling novel sequences from a one-step model that carries the RNN state.

:func:`sample` only needs a *step function* ``(x<t>, states) -> (output<t>, states)``, so it
works with any model and is tested with a fake one. :func:`model_step_function` wraps the
``step`` model of ``seqlab.build("one_to_many", ...)`` (or an encoder-decoder's
``decoder_step``) into one. For a generator built with ``output="nade"`` its output is a
:class:`seqlab.nade.NADEDistribution`, drawn key by key with ``distribution="nade"``.

>>> import numpy as np
>>> def counter(token, states):          # a fake model: always predicts token + 1
...     probabilities = np.full(5, 0.01)
...     probabilities[(token + 1) % 5] = 0.96
...     return probabilities, states
>>> sample(counter, [], prime=[0], steps=6, temperature=0.0).tolist()
[1, 2, 3, 4, 0, 1]
>>> sample(counter, [], prime=[0], steps=6, temperature=0.0, end_id=3).tolist()
[1, 2, 3]
"""

import weakref

import numpy as np

DISTRIBUTIONS = ("categorical", "bernoulli", "nade")


def initial_states(step_model, batch_size=1):
    """Zero states for every state input of a step model (all inputs after the first)."""
    return [np.zeros((batch_size, *tensor.shape[1:]), dtype="float32") for tensor in step_model.inputs[1:]]


def model_step_function(step_model):
    """Wrap a Keras step model ``[x<t>, *states] -> [output<t>, *states]`` as a step function.

    The returned function takes one element (a token id, or a feature vector such as an
    88-key frame) and the list of states, and returns ``(output vector, new states)``. When
    the step model ends in a :class:`seqlab.nade.NADE` layer (``output="nade"``), the output
    is the :class:`seqlab.nade.NADEDistribution` of the next frame instead (its biases and
    the layer's current weights), for ``distribution="nade"``. On
    the TensorFlow backend the step model runs as one traced ``tf.function`` with fixed
    shapes (an eager Keras call per token costs several times more:
    ``results/benchmarks/generation.md``).
    """
    token_input = len(step_model.inputs[0].shape) == 2
    call = _compiled_call(step_model)
    nade = _nade_layer(step_model)

    def step(element, states):
        element = np.asarray(element)
        batch = element.reshape(1, 1).astype("int32") if token_input else element.reshape(1, 1, -1).astype("float32")
        outputs = [np.asarray(output) for output in call(batch, *[np.asarray(state, "float32") for state in states])]
        return (outputs[0][0] if nade is None else nade.distribution(outputs[0][0])), outputs[1:]

    return step


def _nade_layer(step_model):
    from seqlab.nade import NADE

    layers = [layer for layer in step_model.layers if isinstance(layer, NADE)]
    return layers[0] if layers else None


_COMPILED_CALLS = weakref.WeakKeyDictionary()  # one trace per step model, however often it is wrapped


def _compiled_call(step_model):
    if step_model in _COMPILED_CALLS:
        return _COMPILED_CALLS[step_model]
    import keras

    def call(batch, *states):
        return step_model([batch, *states], training=False)

    if keras.backend.backend() != "tensorflow":
        return call
    import tensorflow as tf

    first = step_model.inputs[0]
    signature = [tf.TensorSpec((1, *first.shape[1:]), "int32" if len(first.shape) == 2 else "float32")]
    signature += [tf.TensorSpec((1, *tensor.shape[1:]), "float32") for tensor in step_model.inputs[1:]]
    _COMPILED_CALLS[step_model] = tf.function(call, input_signature=signature)
    return _COMPILED_CALLS[step_model]


def _check(name, value, condition, allowed):
    if not condition:
        raise ValueError(f"{name}={value!r} is not allowed; {allowed}.")


def draw(probabilities, *, distribution="categorical", temperature=1.0, top_k=None, rng=None):
    """Draw one element from a model's output.

    ``categorical``: an id from a probability vector, after ``p ** (1 / temperature)``
    (renormalised) and keeping only the ``top_k`` most probable ids. ``bernoulli``: a 0/1
    vector with each entry on independently (piano-roll keys); the temperature scales the
    logits and ``top_k`` caps how many entries may be on. ``nade``: ``probabilities`` is a
    :class:`seqlab.nade.NADEDistribution` (what :func:`model_step_function` gives for a NADE
    generator) and the frame is drawn key by key, from the lowest key up, each key given the
    keys below it; the temperature scales each logit and, once ``top_k`` keys are on, the
    keys above stay off. ``temperature=0`` is greedy (argmax, or every entry with
    probability >= 0.5).

    >>> draw(np.array([0.1, 0.6, 0.3]), temperature=0).item()
    1
    >>> draw(np.array([0.9, 0.2, 0.7]), distribution="bernoulli", temperature=0, top_k=1).tolist()
    [1.0, 0.0, 0.0]
    >>> from seqlab.nade import NADEDistribution
    >>> every_key_likely = NADEDistribution(np.full(3, 5.0), np.zeros(2), np.zeros((2, 3)), np.zeros((3, 2)))
    >>> draw(every_key_likely, distribution="nade", temperature=0, top_k=2).tolist()
    [1.0, 1.0, 0.0]
    """
    _check("distribution", distribution, distribution in DISTRIBUTIONS, f"allowed: {', '.join(DISTRIBUTIONS)}")
    _check("temperature", temperature, isinstance(temperature, (int, float)) and temperature >= 0,
           "temperature must be a number >= 0 (0 = greedy)")
    _check("top_k", top_k, top_k is None or (isinstance(top_k, int) and top_k >= 1),
           "top_k must be None or an integer >= 1")
    rng = rng if rng is not None else np.random.default_rng()
    nade_output = callable(getattr(probabilities, "sample", None))
    if nade_output or distribution == "nade":
        _check("distribution", distribution, nade_output and distribution == "nade",
               "a NADE generator's output is drawn with distribution='nade'" if nade_output else
               "distribution='nade' needs the output of a NADE step model (model_step_function of the step model "
               "of seqlab.build('one_to_many', output='nade', ...))")
        return probabilities.sample(temperature=temperature, top_k=top_k, rng=rng)
    probabilities = np.clip(np.asarray(probabilities, dtype="float64"), 1e-12, 1.0)
    allowed = np.ones(probabilities.shape, dtype=bool)
    if top_k is not None and top_k < probabilities.size:
        allowed[:] = False
        allowed[np.argsort(probabilities)[-top_k:]] = True
    if distribution == "categorical":
        if temperature == 0:
            return np.int64(np.argmax(np.where(allowed, probabilities, 0.0)))
        logits = np.where(allowed, np.log(probabilities) / temperature, -np.inf)
        weights = np.exp(logits - logits.max())
        return np.int64(rng.choice(probabilities.size, p=weights / weights.sum()))
    if temperature == 0:
        on = probabilities >= 0.5
    else:
        probabilities = np.clip(probabilities, 1e-12, 1 - 1e-12)
        logits = np.log(probabilities) - np.log1p(-probabilities)
        on = rng.random(probabilities.size) < 1.0 / (1.0 + np.exp(-logits / temperature))
    return (on & allowed).astype("float32")


def sample(step_function, states, prime, *, steps, distribution="categorical", temperature=1.0, top_k=None,
           seed=0, end_id=None, stop=None):
    """Generate up to ``steps`` new elements after feeding ``prime`` through the step function.

    Args:
        step_function: ``(element, states) -> (output vector, states)``.
        states: the initial states (e.g. :func:`initial_states`).
        prime: elements fed first (token ids or feature vectors); at least one (a begin id,
            or a silent frame to start from nothing).
        steps: maximum number of generated elements.
        distribution, temperature, top_k: see :func:`draw`.
        seed: seed of the sampler's own random generator (same seed, same output).
        end_id: for token ids, stop after generating this id (it is kept).
        stop: optional ``stop(generated) -> bool`` called after each element (e.g. after a
            run of silent frames).

    Returns:
        A numpy array of the generated elements (the prime excluded).
    """
    _check("steps", steps, isinstance(steps, int) and not isinstance(steps, bool) and steps >= 1,
           "steps must be an integer >= 1")
    prime = list(prime)
    _check("prime", prime, len(prime) >= 1, "give at least one element to start from")
    rng = np.random.default_rng(seed)
    for element in prime:
        output, states = step_function(element, states)
    generated = []
    for _ in range(steps):
        element = draw(output, distribution=distribution, temperature=temperature, top_k=top_k, rng=rng)
        generated.append(element)
        if len(generated) == steps or (end_id is not None and distribution == "categorical"
                                       and int(element) == end_id) or (stop is not None and stop(generated)):
            break
        output, states = step_function(element, states)
    return np.array(generated)
