"""Training helpers every notebook uses: seeds, devices, a stopwatch."""

import time

import keras


def seed_everything(seed):
    """Seed Python, NumPy and the backend (``keras.utils.set_random_seed``); return the seed.

    With the same seed and parameters, training on this CPU gives bitwise identical losses.

    >>> seed_everything(3)
    3
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed={seed!r} is not allowed; seed must be an integer >= 0.")
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


class Stopwatch(keras.callbacks.Callback):
    """Keras callback that adds up the wall time spent in ``fit`` (``.seconds``).

    >>> stopwatch = Stopwatch()
    >>> stopwatch.seconds
    0.0
    """

    def __init__(self):
        super().__init__()
        self.seconds = 0.0
        self._started = None

    def on_train_begin(self, logs=None):
        self._started = time.perf_counter()

    def on_train_end(self, logs=None):
        self.seconds += time.perf_counter() - self._started
