"""Small layers the builders need that Keras does not ship."""

import keras
import numpy as np
from keras import ops


@keras.saving.register_keras_serializable(package="seqlab")
class MaskedGlobalMaxPooling1D(keras.layers.Layer):
    """Maximum over time of ``(batch, time, features)`` that ignores masked (padded) steps.

    ``keras.layers.GlobalMaxPooling1D`` ignores the mask, so padded steps (whose RNN
    outputs are zeros) win whenever every real value of a feature is negative.

    >>> import numpy as np
    >>> values = np.array([[[-2.0], [-1.0], [0.0]]], "float32")   # the last step is padding
    >>> mask = np.array([[True, True, False]])
    >>> MaskedGlobalMaxPooling1D()(values, mask=mask).numpy().tolist()
    [[-1.0]]
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is not None:
            lowest = ops.cast(np.finfo(keras.backend.standardize_dtype(inputs.dtype)).min, inputs.dtype)
            inputs = ops.where(ops.expand_dims(ops.cast(mask, "bool"), -1), inputs, lowest)
        return ops.max(inputs, axis=1)

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])
