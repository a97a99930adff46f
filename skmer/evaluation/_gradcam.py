"""Grad-CAM heatmaps of the face stream of a DualStreamClassifier."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from skmer.evaluation._base import check_face_stream, class_index, dual_stream

__all__ = ["grad_cam"]


def _connected_tensor(container, layer, kind):
    """Return the input or output tensor of ``layer`` in ``container``'s graph.

    A layer (or a nested model) can be called in several graphs; its
    ``output`` attribute then belongs to the first, or, for a nested model,
    to its own graph. The call node whose tensor depends on the
    container's inputs is the one to cut at.
    """
    import keras

    for node in layer._inbound_nodes:
        tensors = node.input_tensors if kind == "input" else node.output_tensors
        tensor = tensors[0]
        try:
            keras.Model(container.inputs, tensor)
        except ValueError:
            continue
        return tensor
    raise ValueError(
        f"Layer {layer.name!r} is not connected to the inputs of {container.name!r}."
    )


def _is_spatial(layer):
    """Whether the layer's output is a feature map (batch, height, width, channels)."""
    import keras

    if isinstance(layer, keras.layers.InputLayer):
        return False
    try:
        shape = layer.output.shape
    except (AttributeError, ValueError):
        return False
    return len(shape) == 4 and shape[1] is not None and shape[1] > 1


def _find_target(container, layer_name):
    """Find the layer whose feature maps Grad-CAM weighs, in ``container``.

    Returns ``(layer, descend)``: the last layer with a spatial output, or a
    nested model with a vector output that holds one (``descend=True``).
    """
    import keras

    for layer in reversed(container.layers):
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if layer_name is not None:
            if layer.name == layer_name:
                return layer, False
            if isinstance(layer, keras.Model) and _holds(layer, layer_name):
                return layer, True
            continue
        if _is_spatial(layer):
            return layer, False
        if isinstance(layer, keras.Model) and _find_target(layer, None)[0] is not None:
            return layer, True
    return None, False


def _holds(model, layer_name):
    import keras

    for layer in model.layers:
        if layer.name == layer_name:
            return True
        if isinstance(layer, keras.Model) and _holds(layer, layer_name):
            return True
    return False


def _feature_maps(container, x, upstream, layer_name):
    """Feature maps of the target layer and the gradient of the score on them.

    ``upstream`` is the gradient of the score with respect to the output of
    ``container`` on input ``x``: the gradient on the feature maps is the
    vector-Jacobian product of ``container`` down to them.
    """
    import keras
    import tensorflow as tf

    target, descend = _find_target(container, layer_name)
    if target is None:
        raise ValueError(
            f"The face stream {container.name!r} has no layer "
            + (
                f"named {layer_name!r}."
                if layer_name is not None
                else "with a spatial output (batch, height, width, channels)."
            )
        )
    kind = "input" if descend else "output"
    cut = keras.Model(
        container.inputs,
        [_connected_tensor(container, target, kind), container.output],
    )
    with tf.GradientTape() as tape:
        inner, output = cut([x], training=False)
        objective = tf.reduce_sum(output * upstream)
    if not descend:
        return inner.numpy(), tape.gradient(objective, inner).numpy()
    # The target sits inside the nested model: its input is ``inner``, and
    # the score's gradient on its output continues the chain.
    nested_output = _connected_tensor(container, target, "output")
    cut = keras.Model(container.inputs, [nested_output, container.output])
    with tf.GradientTape() as tape:
        nested, output = cut([x], training=False)
        objective = tf.reduce_sum(output * upstream)
    nested_upstream = tape.gradient(objective, nested)
    return _feature_maps(target, inner, nested_upstream, layer_name)


def _check_frames_in_model(clf, inputs, caller):
    """Raise when the face frames are embedded outside the Keras model."""
    if "face" not in inputs and "face_embedding" in inputs:
        raise ValueError(
            f"{caller} cannot explain face_backbone={clf.face_backbone!r}: "
            "cv2.dnn embeds its face frames outside the Keras network, so "
            "there is no gradient on the pixels. Use face_backbone='fer', "
            "None or a Keras model file for Grad-CAM heatmaps."
        )


def grad_cam(estimator, X, *, target=None, layer_name=None):
    """Grad-CAM heatmaps of the face stream of a fitted DualStreamClassifier.

    Gradient-weighted class activation mapping [1]_: the feature maps of the
    last spatial layer of the face stream (the last convolution block, or
    the last residual block of the pretrained ``'fer'`` backbone) are
    weighted by the mean gradient of the class probability on them, summed
    and rectified. The heatmap shows where in the face crop the evidence for
    the class lies.

    Parameters
    ----------
    estimator : DualStreamClassifier or Pipeline
        A fitted classifier with a face stream (``modalities`` ``'both'`` or
        ``'face'``), alone or as the last step of a Pipeline.
    X : array-like of shape (n_samples, n_features) or DataFrame
        Input of ``estimator``; a Pipeline's earlier steps transform it.
    target : array-like of shape (n_samples,), default=None
        Class label to explain for each sample. None explains the predicted
        class.
    layer_name : str, default=None
        Name of the layer whose feature maps to weigh, anywhere in the face
        stream (e.g. ``'face_conv0'``). None takes the last spatial one.

    Returns
    -------
    heatmaps : ndarray of shape (n_samples, height, width)
        One heatmap per face frame, of shape ``(n_samples, n_frames,
        height, width)`` when the model takes ``n_frames > 1``; resized to
        the face crop, in [0, 1] (each divided by its maximum; all zero when
        no region supports the class).

    References
    ----------
    .. [1] R. R. Selvaraju, M. Cogswell, A. Das, R. Vedantam, D. Parikh and
       D. Batra, "Grad-CAM: Visual explanations from deep networks via
       gradient-based localization", ICCV 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from skmer.evaluation import grad_cam
    >>> from skmer.neural_network import DualStreamClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((12, 8 * 8 * 1 + 4 * 4), dtype=np.float32)
    >>> y = np.repeat(["ANG", "HAP", "SAD"], 4)
    >>> clf = DualStreamClassifier(
    ...     face_shape=(8, 8, 1), audio_shape=(4, 4), filters=(2,),
    ...     branch_units=4, head_units=(), epochs=1, early_stopping=False,
    ...     run_eagerly=True, random_state=0,
    ... ).fit(X, y)
    >>> grad_cam(clf, X[:2]).shape
    (2, 8, 8)
    """
    import keras
    import tensorflow as tf

    clf, Xt, inputs = dual_stream(estimator, X, caller="grad_cam")
    _check_frames_in_model(clf, inputs, "grad_cam")
    check_face_stream(clf, "face" in inputs, "grad_cam")
    model = clf.model_
    if target is None:
        proba = model.predict(inputs, batch_size=clf.batch_size, verbose=0)
        explained = np.argmax(proba, axis=1)
    else:
        explained = class_index(clf, target, len(Xt), "target")
    onehot = np.eye(clf.n_classes_, dtype=np.float32)[explained]

    names = [layer.name for layer in model.layers]
    stream = model.get_layer(
        "face_frames" if "face_frames" in names else "face_frame_encoder"
    )
    cut = keras.Model(
        model.inputs, [_connected_tensor(model, stream, "output"), model.output]
    )
    tensors = {name: tf.constant(value) for name, value in inputs.items()}
    with tf.GradientTape() as tape:
        encoded, output = cut(tensors, training=False)
        score = tf.reduce_sum(output * onehot)
    upstream = tape.gradient(score, encoded).numpy()

    face = inputs["face"]
    frame_shape = face.shape[-3:]
    frames = face.reshape(-1, *frame_shape)
    if isinstance(stream, keras.layers.TimeDistributed):
        stream = stream.layer
    upstream = upstream.reshape(len(frames), -1)
    maps, gradients = _feature_maps(stream, frames, upstream, layer_name)
    weights = gradients.mean(axis=(1, 2), keepdims=True)
    cam = np.maximum((weights * maps).sum(axis=-1), 0)
    cam = keras.ops.convert_to_numpy(
        keras.ops.image.resize(cam[..., np.newaxis], frame_shape[:2])
    )[..., 0]
    cam = np.maximum(cam, 0)
    peak = cam.max(axis=(1, 2), keepdims=True)
    cam = np.divide(cam, peak, out=np.zeros_like(cam), where=peak > 0)
    return cam.reshape(*face.shape[:-1]).astype(np.float32)
