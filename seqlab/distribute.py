"""Training on more than one device, and mixed precision for GPUs (TensorFlow backend).

A notebook takes a ``strategy`` parameter (``"none"`` or ``"mirrored"``), builds and compiles
its model inside ``strategy(name).scope()`` and trains as usual: with ``"mirrored"``,
``tf.distribute.MirroredStrategy`` copies the model to every visible GPU (or to the given
devices), splits each global batch between them and adds up the gradients, so the loss curve
matches one device for the same global batch.

>>> STRATEGIES
('none', 'mirrored')
>>> with strategy("none").scope():
...     pass
>>> strategy("parameter_server")
Traceback (most recent call last):
...
ValueError: strategy='parameter_server' is not allowed; allowed: none, mirrored.

On a CPU-only machine :func:`split_cpu` turns the one CPU into several logical devices
(before TensorFlow starts using it), so a mirrored strategy can be tried without GPUs:
``split_cpu(2); strategy("mirrored", devices=logical_cpus())``.
"""

import warnings

STRATEGIES = ("none", "mirrored")
PRECISION_POLICIES = ("float32", "mixed_float16", "mixed_bfloat16")


def strategy(name="none", *, devices=None):
    """A ``tf.distribute`` strategy by name.

    Args:
        name: ``"none"`` (TensorFlow's default strategy: one device, no copies) or
            ``"mirrored"`` (``tf.distribute.MirroredStrategy``: one copy per device,
            gradients summed across copies).
        devices: device names for ``"mirrored"`` (e.g. ``["/cpu:0", "/cpu:1"]``); ``None``
            means every visible GPU, or the CPU when there is none.

    Returns:
        A strategy; build and compile the model inside ``with strategy.scope():``.
    """
    if name not in STRATEGIES:
        raise ValueError(f"strategy={name!r} is not allowed; allowed: {', '.join(STRATEGIES)}.")
    import tensorflow as tf

    if name == "none":
        if devices is not None:
            raise ValueError(f"devices={devices!r} is only used with strategy='mirrored'; give None with 'none'.")
        return tf.distribute.get_strategy()
    return tf.distribute.MirroredStrategy(devices=devices)


def split_cpu(count):
    """Split the physical CPU into ``count`` logical CPU devices; return their names.

    Must run before TensorFlow initialises its devices (before any tensor is made): run it
    first in a fresh process. Raises ``RuntimeError`` when TensorFlow has already started.
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"count={count!r} is not allowed; count must be a positive integer.")
    import tensorflow as tf

    physical = tf.config.list_physical_devices("CPU")
    tf.config.set_logical_device_configuration(physical[0], [tf.config.LogicalDeviceConfiguration()] * count)
    return logical_cpus()


def logical_cpus():
    """Names of the logical CPU devices TensorFlow sees (e.g. ``['/device:CPU:0']``).

    >>> logical_cpus()[0].endswith("CPU:0")
    True
    """
    import tensorflow as tf

    return [device.name for device in tf.config.list_logical_devices("CPU")]


def mixed_precision(policy="mixed_float16"):
    """Set Keras' global dtype policy; return the previous policy's name (to restore it).

    ``"mixed_float16"`` computes in float16 and keeps float32 weights: on a GPU with tensor
    cores (and cuDNN RNN kernels) it roughly halves memory and speeds training; Keras scales
    the loss automatically (``LossScaleOptimizer``) when a model is compiled under it. On a CPU
    float16 is slower than float32, so a warning is given there. Call it before building the
    model.

    >>> previous = mixed_precision("float32")
    >>> mixed_precision(previous)
    'float32'
    >>> mixed_precision("float8")
    Traceback (most recent call last):
    ...
    ValueError: policy='float8' is not allowed; allowed: float32, mixed_float16, mixed_bfloat16.
    """
    if policy not in PRECISION_POLICIES:
        raise ValueError(f"policy={policy!r} is not allowed; allowed: {', '.join(PRECISION_POLICIES)}.")
    import keras

    if policy == "mixed_float16" and keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        if not tf.config.list_physical_devices("GPU"):
            warnings.warn("mixed_float16 on a CPU-only machine is slower than float32; it is meant for GPUs.",
                          stacklevel=2)
    previous = keras.config.dtype_policy().name
    keras.config.set_dtype_policy(policy)
    return previous
