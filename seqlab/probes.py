"""Probes that make the behaviour of recurrent networks measurable.

Three tools for the curriculum notebooks:

- ``agreement_data``: the course's "The cat ... was / The cats ... were" example as a
  classification task whose distance between subject and verb is a parameter (synthetic by
  nature: the point is to control the distance exactly).
- ``state_gradients`` / ``state_gradient_norms``: the gradient of the loss with respect to
  every hidden state, dL/da<t>, through all the paths that reach the loss (backpropagation
  through time), so that vanishing and exploding gradients can be plotted against t.
- ``gradient_check``: analytic gradients from ``tf.GradientTape`` next to central finite
  differences.

The gradient probes use ``tf.GradientTape`` and so need the TensorFlow backend (seqlab's default).

>>> data = agreement_data(2, distance=4, seed=1)
>>> [" ".join(example["tokens"]) + " -> " + AGREEMENT_VERBS[example["label"]] for example in data]
['the friend behind the tall author -> was', 'the cats behind the tall city -> were']
"""

import numpy as np

AGREEMENT_NOUNS = (
    ("author", "authors"),
    ("bird", "birds"),
    ("box", "boxes"),
    ("car", "cars"),
    ("cat", "cats"),
    ("child", "children"),
    ("city", "cities"),
    ("doctor", "doctors"),
    ("dog", "dogs"),
    ("farmer", "farmers"),
    ("friend", "friends"),
    ("house", "houses"),
    ("key", "keys"),
    ("leaf", "leaves"),
    ("man", "men"),
    ("mouse", "mice"),
    ("painting", "paintings"),
    ("student", "students"),
    ("teacher", "teachers"),
    ("woman", "women"),
)
"""(singular, plural) noun pairs used as subjects and as attractors."""

AGREEMENT_VERBS = ("was", "were")
"""The label names: 0 = singular subject ("was"), 1 = plural subject ("were")."""

AGREEMENT_PREPOSITIONS = ("above", "behind", "beside", "by", "near", "under", "with")
AGREEMENT_ADJECTIVES = ("famous", "old", "quiet", "red", "small", "strange", "tall", "young")
AGREEMENT_ADVERBS = ("certainly", "clearly", "often", "really", "surely", "truly")


def agreement_words():
    """Every word ``agreement_data`` can produce, sorted (for a fixed word vocabulary).

    >>> words = agreement_words()
    >>> len(words), words[:3]
    (62, ['above', 'author', 'authors'])
    """
    words = {"the"}
    for pair in AGREEMENT_NOUNS:
        words.update(pair)
    words.update(AGREEMENT_PREPOSITIONS, AGREEMENT_ADJECTIVES, AGREEMENT_ADVERBS)
    return sorted(words)


def agreement_data(num_examples, *, distance, attractor_probability=0.5, seed=0):
    """Generate number-agreement examples: predict "was" or "were" after a long prefix.

    Each example is ``the <subject> <distance filler words>`` and its label is the number of
    the subject (0 = singular -> "was", 1 = plural -> "were"). The filler is made of
    prepositional phrases ("near the old dogs"), whose nouns are attractors: each has the
    opposite number of the subject with probability ``attractor_probability``, so the word
    just before the verb is no guide and the network has to carry the subject's number across
    ``distance`` steps. Phrases take 3 words plus adjectives; when ``distance`` is 1 or 2 the
    filler is adverbs ("the cats really were").

    Args:
        num_examples: number of examples (a positive integer).
        distance: number of words strictly between the subject and the verb (>= 0).
        attractor_probability: probability that a filler noun disagrees in number with the
            subject, in [0, 1].
        seed: seed of the numpy generator; the same seed gives the same examples.

    Returns:
        A list of ``{"tokens": list[str], "label": int}``; every ``tokens`` list has
        ``distance + 2`` words. Classes are balanced in expectation.

    >>> example = agreement_data(1, distance=7, seed=3)[0]
    >>> len(example["tokens"]), example["label"] in (0, 1)
    (9, True)
    >>> agreement_data(1, distance=-1)
    Traceback (most recent call last):
    ...
    ValueError: distance=-1 must be an integer >= 0 (words between the subject and the verb).
    """
    if not isinstance(num_examples, (int, np.integer)) or num_examples < 1:
        raise ValueError(f"num_examples={num_examples!r} must be a positive integer.")
    if not isinstance(distance, (int, np.integer)) or distance < 0:
        raise ValueError(
            f"distance={distance!r} must be an integer >= 0 (words between the subject and the verb)."
        )
    if not 0.0 <= attractor_probability <= 1.0:
        raise ValueError(f"attractor_probability={attractor_probability!r} must lie in [0, 1].")
    generator = np.random.default_rng(seed)
    examples = []
    for _ in range(num_examples):
        label = int(generator.integers(2))
        subject = AGREEMENT_NOUNS[generator.integers(len(AGREEMENT_NOUNS))][label]
        examples.append({"tokens": ["the", subject] + _filler(generator, distance, label, attractor_probability),
                         "label": label})
    return examples


def _filler(generator, distance, label, attractor_probability):
    """Words between subject and verb: prepositional phrases with attractors, or adverbs."""
    num_phrases, extra = divmod(distance, 3)
    if num_phrases == 0:
        return [str(word) for word in generator.choice(AGREEMENT_ADVERBS, size=extra, replace=False)]
    adjectives_per_phrase = np.bincount(generator.integers(num_phrases, size=extra), minlength=num_phrases)
    words = []
    for adjectives in adjectives_per_phrase:
        number = 1 - label if generator.random() < attractor_probability else label
        noun = AGREEMENT_NOUNS[generator.integers(len(AGREEMENT_NOUNS))][number]
        words += [str(generator.choice(AGREEMENT_PREPOSITIONS)), "the"]
        words += [str(word) for word in generator.choice(AGREEMENT_ADJECTIVES, size=adjectives, replace=False)]
        words.append(noun)
    return words


def state_gradients(recurrent_layer, inputs, loss_of_output, *, mask=None):
    """Gradient of a loss with respect to every hidden state a<t> of one recurrent layer.

    The gradient is the total one: it collects every path from a<t> to the loss, through
    a<t+1>, a<t+2>, ... (backpropagation through time), not only the direct path through the
    output at step t. It is measured by adding a zero probe e<t> to the hidden state after
    every step (a<t> + e<t>, which changes nothing) and differentiating with respect to the
    probe: dL/de<t> = dL/da<t>. The layer's own cell and weights are used.

    Args:
        recurrent_layer: a ``keras.layers.RNN`` (``SimpleRNN``, ``GRU``, ``LSTM`` or
            ``RNN(cell)`` with a seqlab equation cell) whose cell returns the hidden state as
            its output and as its first state.
        inputs: the layer's input sequence, ``(batch, time, features)``.
        loss_of_output: callable mapping what the layer returns (its ``return_sequences``
            setting is kept) to the loss, a scalar or a per-example vector (summed).
        mask: optional ``(batch, time)`` boolean mask, as the layer would receive it.

    Returns:
        numpy array ``(batch, time, units)``: dL/da<t> for every example and step, indexed
        by input position (also for ``go_backwards`` layers).

    >>> import keras
    >>> layer = keras.layers.SimpleRNN(3, activation="linear", use_bias=False,
    ...     kernel_initializer="ones", recurrent_initializer=keras.initializers.Identity(0.5))
    >>> gradients = state_gradients(layer, np.ones((1, 4, 2), "float32"), keras.ops.sum)
    >>> gradients[0, :, 0].round(3).tolist()
    [0.125, 0.25, 0.5, 1.0]
    """
    import keras
    import tensorflow as tf

    if not isinstance(recurrent_layer, keras.layers.RNN):
        raise ValueError(
            f"recurrent_layer={recurrent_layer!r} must be a keras.layers.RNN (SimpleRNN, GRU, LSTM or "
            "RNN(cell)); probe each direction of a Bidirectional layer separately."
        )
    inputs = tf.convert_to_tensor(inputs, dtype=recurrent_layer.compute_dtype)
    if inputs.shape.rank != 3:
        raise ValueError(f"inputs must have shape (batch, time, features); received shape {tuple(inputs.shape)}.")
    if not recurrent_layer.built:
        recurrent_layer.build(tuple(inputs.shape))
    probe_layer = keras.layers.RNN(
        _state_probe_cell_class()(recurrent_layer.cell, int(inputs.shape[-1]), dtype=recurrent_layer.dtype_policy),
        return_sequences=recurrent_layer.return_sequences,
        return_state=recurrent_layer.return_state,
        go_backwards=recurrent_layer.go_backwards,
        dtype=recurrent_layer.dtype_policy,
    )
    units = _state_width(recurrent_layer.cell.state_size)
    probe = tf.zeros((inputs.shape[0], inputs.shape[1], units), dtype=inputs.dtype)
    with tf.GradientTape() as tape:
        tape.watch(probe)
        output = probe_layer(tf.concat([inputs, probe], axis=-1), mask=mask, training=False)
        loss = tf.reduce_sum(loss_of_output(output))
    return tape.gradient(loss, probe).numpy()


def _state_width(state_size):
    """Width of the hidden state a<t>: the first state of the cell."""
    first = state_size[0] if isinstance(state_size, (list, tuple)) else state_size
    return int(first[0] if isinstance(first, (list, tuple)) else first)


def _state_probe_cell_class():
    """Define the probe cell on first use, so that importing seqlab.probes does not load Keras."""
    import keras

    class StateProbeCell(keras.layers.Layer):
        """Wraps a built cell: step input [x<t>, e<t>] -> the cell's step with a<t> + e<t>."""

        def __init__(self, cell, input_features, **keywords):
            super().__init__(**keywords)
            self.cell = cell
            self.input_features = input_features
            self.state_size = cell.state_size
            self.output_size = getattr(cell, "output_size", _state_width(cell.state_size))

        def build(self, input_shape):
            if not self.cell.built:
                self.cell.build((input_shape[0], self.input_features))
            self.built = True

        def call(self, inputs, states, training=False):
            step_input = inputs[:, : self.input_features]
            probe = inputs[:, self.input_features:]
            output, new_states = self.cell(step_input, states, training=training)
            output = output + probe
            if isinstance(new_states, (list, tuple)):
                new_states = [output, *new_states[1:]]
            else:
                new_states = output
            return output, new_states

        def get_initial_state(self, batch_size=None):
            return self.cell.get_initial_state(batch_size=batch_size)

    return StateProbeCell


def state_gradient_norms(model, inputs, targets, *, loss=None):
    """Mean over examples of ||dL/da<t>|| for the single recurrent layer of a functional model.

    The model (for example ``seqlab.build("many_to_one", depth=1, bidirectional=False,
    summary="last", ...)``) is cut at its one recurrent layer into the part before it (the
    embedding) and the part after it (the output head); the layer is then run with
    :func:`state_gradients` between the two. The cut model is checked against
    ``model(inputs)`` first. Every example's loss is summed (not averaged), so each example's
    gradient is its own dL/da<t>.

    Args:
        model: a built functional ``keras.Model`` with exactly one recurrent layer (not
            wrapped in ``Bidirectional``).
        inputs: a batch of model inputs (token ids or features).
        targets: the batch's targets, as ``loss`` expects them.
        loss: callable ``loss(targets, predictions)`` returning per-example losses; default
            ``keras.losses.sparse_categorical_crossentropy``.

    Returns:
        numpy array ``(time,)``: the mean over the batch of the L2 norm of dL/da<t>.

    >>> import keras
    >>> model = keras.Sequential([keras.Input((5,)), keras.layers.Embedding(10, 4),
    ...     keras.layers.SimpleRNN(6), keras.layers.Dense(2, activation="softmax")])
    >>> state_gradient_norms(model, np.ones((3, 5), "int32"), np.zeros(3, "int32")).shape
    (5,)
    """
    import keras
    import tensorflow as tf

    loss = loss or keras.losses.sparse_categorical_crossentropy
    wrapped = [layer for layer in model.layers if isinstance(layer, keras.layers.Bidirectional)]
    recurrent = [layer for layer in model.layers if isinstance(layer, keras.layers.RNN)]
    if wrapped or len(recurrent) != 1:
        raise ValueError(
            f"model {model.name!r} must hold exactly one unwrapped recurrent layer; found "
            f"{len(recurrent)} recurrent and {len(wrapped)} Bidirectional layers (build it with depth=1, "
            "bidirectional=False)."
        )
    layer = recurrent[0]
    model_inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
    try:
        front = keras.Model(model_inputs, layer.input)
        back = keras.Model(layer.output, model.outputs[0] if len(model.outputs) == 1 else model.outputs)
    except ValueError as error:
        raise ValueError(
            f"model {model.name!r} cannot be cut at its recurrent layer {layer.name!r}: the layers after it "
            f"need more than its output ({error})."
        ) from None
    sequence = front(inputs, training=False)
    mask = getattr(sequence, "_keras_mask", None)
    sequence = tf.identity(sequence)

    def head(output):
        return back([tf.identity(tensor) for tensor in output] if isinstance(output, (list, tuple))
                    else tf.identity(output), training=False)

    reference = keras.ops.convert_to_numpy(model(inputs, training=False))
    replayed = keras.ops.convert_to_numpy(head(layer(sequence, mask=mask, training=False)))
    if reference.shape != replayed.shape or not np.allclose(reference, replayed, atol=1e-5):
        raise ValueError(
            f"model {model.name!r} cut at {layer.name!r} does not reproduce its output (a mask-dependent summary "
            "after the recurrent layer?); use summary='last'."
        )
    gradients = state_gradients(layer, sequence, lambda output: loss(targets, head(output)), mask=mask)
    return np.linalg.norm(gradients, axis=-1).mean(axis=0)


def gradient_check(loss_function, variables, *, entries=5, epsilon=1e-3, seed=0):
    """Compare GradientTape gradients with central finite differences on a few entries.

    For each variable, ``entries`` positions are drawn at random; for each, the numeric
    derivative ``(L(w + epsilon) - L(w - epsilon)) / (2 epsilon)`` is computed in float64
    arithmetic on the loss values and compared with the analytic one. The variables are
    restored afterwards.

    Args:
        loss_function: zero-argument callable returning the scalar loss (a tensor).
        variables: list of ``keras.Variable`` / ``tf.Variable`` the loss depends on.
        entries: positions checked per variable (all positions if the variable is smaller).
        epsilon: finite-difference step.
        seed: seed for the positions.

    Returns:
        A list of rows ``{"variable", "index", "analytic", "numeric", "relative_error"}``
        with ``relative_error = |a - n| / max(|a| + |n|, 1e-12)``.

    >>> import tensorflow as tf
    >>> weight = tf.Variable([1.0, 2.0], dtype="float64")
    >>> rows = gradient_check(lambda: tf.reduce_sum(weight ** 3), [weight], entries=2)
    >>> [(row["index"], round(row["analytic"], 3), round(row["numeric"], 3)) for row in rows]
    [((0,), 3.0, 3.0), ((1,), 12.0, 12.0)]
    """
    import tensorflow as tf

    if entries < 1:
        raise ValueError(f"entries={entries!r} must be a positive integer.")
    with tf.GradientTape() as tape:
        loss = loss_function()
    analytic = tape.gradient(loss, variables)
    generator = np.random.default_rng(seed)
    rows = []
    for variable, gradient in zip(variables, analytic):
        if gradient is None:
            raise ValueError(f"the loss does not depend on variable {getattr(variable, 'name', variable)!r}.")
        gradient = tf.convert_to_tensor(gradient).numpy()
        original = np.array(variable.numpy())
        size = original.size
        flat_positions = np.arange(size) if size <= entries else np.sort(generator.choice(size, entries, replace=False))
        for flat in flat_positions:
            index = tuple(int(i) for i in np.unravel_index(flat, original.shape))
            values = []
            for sign in (1.0, -1.0):
                shifted = original.copy()
                shifted[index] += sign * epsilon
                variable.assign(shifted)
                values.append(float(loss_function()))
            variable.assign(original)
            numeric = (values[0] - values[1]) / (2.0 * epsilon)
            exact = float(gradient[index])
            rows.append({
                "variable": getattr(variable, "path", None) or getattr(variable, "name", ""),
                "index": index,
                "analytic": exact,
                "numeric": numeric,
                "relative_error": abs(exact - numeric) / max(abs(exact) + abs(numeric), 1e-12),
            })
    return rows
