"""Training helpers every notebook uses: the start of a run (devices, strategy, seeds), a stopwatch."""

import time

import keras
import numpy as np

from seqlab import checks, distribute
from seqlab.data.splits import SPLITS


def seed_everything(seed):
    """Seed Python, NumPy and the backend (``keras.utils.set_random_seed``); return the seed.

    With the same seed and parameters, training on this CPU gives bitwise identical losses.

    >>> seed_everything(3)
    3
    """
    checks.non_negative_integer("seed", seed)
    keras.utils.set_random_seed(seed)
    return seed


def configure_devices():
    """Let TensorFlow grow GPU memory as needed (so notebooks can share a GPU); name the device.

    Returns ``"cpu"`` or ``"gpu:<count>"``. Call it before building any model.

    >>> configure_devices() in {"cpu"} or configure_devices().startswith("gpu")
    True
    """
    if keras.backend.backend() != "tensorflow":
        return "cpu"
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:  # already initialised: memory growth can only be set before first use
            pass
    return f"gpu:{len(gpus)}" if gpus else "cpu"


def start(seed, *, strategy="none", cpu_replicas=1):
    """The first call of an experiment notebook: devices, the distribution strategy, then the seeds.

    Lets TensorFlow grow GPU memory (:func:`configure_devices`), picks the strategy that the
    notebook's ``strategy`` and ``cpu_replicas`` parameters name (:func:`seqlab.distribute.select`)
    and seeds Python, NumPy and the backend (:func:`seed_everything`).

    Returns:
        The ``tf.distribute`` strategy: build and compile inside ``strategy.scope()``, and keep
        batches a multiple of its replicas with :func:`seqlab.distribute.even_batch_size`.

    >>> start(0).num_replicas_in_sync
    1
    """
    configure_devices()
    distribution = distribute.select(strategy, cpu_replicas=cpu_replicas)
    seed_everything(seed)
    return distribution


class Stopwatch(keras.callbacks.Callback):
    """Keras callback: the wall time of every epoch (``.epoch_seconds``) and of all ``fit`` calls (``.seconds``).

    One stopwatch can serve several ``fit`` calls (folds, resumed training): both add up.
    Epoch times include the epoch's validation and the callbacks before this one.

    >>> import numpy as np
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> model.compile(loss="mse")
    >>> stopwatch = Stopwatch()
    >>> _ = model.fit(np.zeros((4, 2)), np.zeros(4), epochs=3, verbose=0, callbacks=[stopwatch])
    >>> len(stopwatch.epoch_seconds), stopwatch.seconds >= sum(stopwatch.epoch_seconds) > 0
    (3, True)
    """

    def __init__(self):
        super().__init__()
        self.seconds = 0.0
        self.epoch_seconds = []
        self._train_started = self._epoch_started = None

    @property
    def median_epoch_seconds(self):
        """Median of the epoch times (robust to the first epoch's tracing); ``nan`` before any."""
        return float(np.median(self.epoch_seconds)) if self.epoch_seconds else float("nan")

    def on_train_begin(self, logs=None):
        self._train_started = time.perf_counter()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_seconds.append(time.perf_counter() - self._epoch_started)

    def on_train_end(self, logs=None):
        self.seconds += time.perf_counter() - self._train_started


class EvaluateCallback(keras.callbacks.Callback):
    """Keras callback: after every epoch, a task's scores on a split go into the epoch's logs.

    For selection metrics that are not Keras metrics (NER's entity F1, music's NLL per frame):
    it calls the task module's ``predict(model, data, split, **predict_options)`` and
    ``evaluate(data, predictions, split)`` (see docs/contracts.md, "Task modules"), so
    ``EarlyStopping(monitor="valid_f1", mode="max")`` and the history see ``<split>_<metric>``.
    Put it before the callbacks that read its fields, and after a :class:`Stopwatch` whose
    epoch times should leave this evaluation out.

    Args:
        task: a task module (``seqlab.tasks.ner``, ``seqlab.tasks.music``, ...).
        data: what the task's ``prepare`` returned.
        split: the split scored.
        **predict_options: passed to the task's ``predict`` (``constrained=``, ``batch_size=``, ...).

    >>> from types import SimpleNamespace
    >>> task = SimpleNamespace(predict=lambda model, data, split: [1, 0], evaluate=lambda data, y, split: {"valid_x": sum(y)})
    >>> callback, logs = EvaluateCallback(task, None), {}
    >>> callback.on_epoch_end(0, logs)
    >>> logs
    {'valid_x': 1}
    """

    def __init__(self, task, data, split="valid", **predict_options):
        super().__init__()
        self.task, self.data = task, data
        self.split = checks.one_of("split", split, SPLITS)
        self.predict_options = predict_options

    def on_epoch_end(self, epoch, logs=None):
        predictions = self.task.predict(self.model, self.data, self.split, **self.predict_options)
        logs.update(self.task.evaluate(self.data, predictions, self.split))
