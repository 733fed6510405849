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
``split_cpu(2); strategy("mirrored", devices=logical_cpus())``, which :func:`select` does
for a notebook's ``strategy="mirrored", cpu_replicas=2``.
"""

import warnings

from seqlab import checks

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
    checks.one_of("strategy", name, STRATEGIES)
    import tensorflow as tf

    if name == "none":
        if devices is not None:
            raise ValueError(f"devices={devices!r} is only used with strategy='mirrored'; give None with 'none'.")
        return tf.distribute.get_strategy()
    return tf.distribute.MirroredStrategy(devices=devices)


def select(name="none", *, cpu_replicas=1):
    """The strategy a notebook's ``strategy`` and ``cpu_replicas`` parameters ask for.

    ``"mirrored"`` copies the model to every visible GPU; on a machine without GPUs it splits
    the CPU into ``cpu_replicas`` logical devices first (so the mirrored code path, batch
    splitting and gradient summing included, runs for real) and mirrors over them. Call it
    before TensorFlow makes any tensor, i.e. right after the imports.

    Args:
        name: ``"none"`` or ``"mirrored"``.
        cpu_replicas: logical CPU devices for ``"mirrored"`` without GPUs (1: the whole CPU
            as one device); must be 1 with ``"none"``; ignored when there are GPUs.

    Returns:
        A strategy (``num_replicas_in_sync`` says how many copies train together).

    >>> select("none").num_replicas_in_sync
    1
    >>> select("none", cpu_replicas=2)
    Traceback (most recent call last):
    ...
    ValueError: cpu_replicas=2 is only used with strategy='mirrored'; give 1 with strategy='none'.
    """
    checks.one_of("strategy", name, STRATEGIES)
    checks.positive_integer("cpu_replicas", cpu_replicas)
    if name == "none":
        if cpu_replicas != 1:
            raise ValueError(f"cpu_replicas={cpu_replicas!r} is only used with strategy='mirrored'; "
                             "give 1 with strategy='none'.")
        return strategy("none")
    import tensorflow as tf

    devices = None
    if not tf.config.list_physical_devices("GPU") and cpu_replicas > 1:
        devices = split_cpu(cpu_replicas)
    return strategy("mirrored", devices=devices)


def even_batch_size(distribution, batch_size, examples=None):
    """A global batch size that splits evenly over ``distribution``'s replicas.

    Each replica gets ``batch_size / replicas`` examples of every global batch, so the batch size
    must be a multiple of the replica count. When a split has fewer ``examples`` than
    ``batch_size``, the size is cut to the largest multiple of the replica count that fits: Keras
    3.15's ``fit`` and ``evaluate`` under a ``tf.distribute`` strategy reduce the *first* batch
    across replicas to build the metrics, and fail ("Inputs to operation AddN ... must have the
    same size and shape") when it does not split evenly. Later, smaller batches are fine.

    >>> even_batch_size(strategy("none"), 256, examples=39)
    39
    >>> even_batch_size(strategy("none"), 32)
    32
    """
    replicas = distribution.num_replicas_in_sync
    checks.positive_integer("batch_size", batch_size)
    if batch_size % replicas:
        raise ValueError(f"batch_size={batch_size!r} does not split over the {replicas} replicas of the strategy; "
                         f"give a multiple of {replicas} (e.g. {batch_size - batch_size % replicas or replicas}).")
    if examples is not None and examples < batch_size:
        return max(replicas, examples - examples % replicas)
    return batch_size


def split_cpu(count):
    """Split the physical CPU into ``count`` logical CPU devices; return their names.

    Must run before TensorFlow initialises its devices (before any tensor is made): run it
    first in a fresh process. Raises ``RuntimeError`` when TensorFlow has already started.
    """
    checks.positive_integer("count", count)
    import tensorflow as tf

    physical = tf.config.list_physical_devices("CPU")
    configured = tf.config.get_logical_device_configuration(physical[0])
    if configured is not None and len(configured) == count:  # already split this way (a re-run notebook cell)
        return logical_cpus()
    try:
        tf.config.set_logical_device_configuration(physical[0], [tf.config.LogicalDeviceConfiguration()] * count)
    except RuntimeError as error:
        raise RuntimeError(f"cannot split the CPU into {count} logical devices: TensorFlow has already started "
                           f"using it ({error}). Split first, before building any model or tensor (in a "
                           "notebook: restart the kernel and run from the top).") from error
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
    checks.one_of("policy", policy, PRECISION_POLICIES)
    import keras

    if policy == "mixed_float16" and keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        if not tf.config.list_physical_devices("GPU"):
            warnings.warn("mixed_float16 on a CPU-only machine is slower than float32; it is meant for GPUs.",
                          stacklevel=2)
    previous = keras.config.dtype_policy().name
    keras.config.set_dtype_policy(policy)
    return previous
