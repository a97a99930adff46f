"""Ready-made pipelines from clip paths to emotion labels."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

from sklearn.compose import ColumnTransformer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler

_MODALITIES = ("both", "face", "audio")


def make_feature_union(
    modalities="both",
    *,
    n_frames=1,
    face_size=64,
    detector="auto",
    n_jobs=None,
    cache_dir=None,
    cache_key="stat",
    verbose=0,
):
    """Extract the blocks a :class:`DualStreamClassifier` reads from clip paths.

    The face block comes from :class:`~skmer.feature_extraction.FaceExtractor`
    and the audio block from :class:`~skmer.feature_extraction.MFCCExtractor`,
    in that order, as the classifier expects.

    Parameters
    ----------
    modalities : {'both', 'face', 'audio'}, default='both'
        Which blocks to extract.
    n_frames : int, default=1
        Face frames per clip.
    face_size : int, default=64
        Side of the face crops.
    detector : {'auto', 'yunet', 'haar', 'mtcnn'}, default='auto'
        Face detector of the :class:`~skmer.feature_extraction.FaceExtractor`:
        ``'auto'`` is YuNet when its file is present, else Haar with a
        warning (see the extractor's ``detector``).
    n_jobs : int, default=None
        Parallel workers of each extractor.
    cache_dir : str, default=None
        Per-file feature cache of both extractors.
    cache_key : {'stat', 'content'}, default='stat'
        What identifies a file in the cache: its path, size and modification
        time, or a hash of its bytes (see the extractors).
    verbose : int, default=0
        Progress bars when positive.

    Returns
    -------
    union : FeatureUnion
        An unfitted union with the steps ``'face'`` and/or ``'audio'``.

    Examples
    --------
    >>> from skmer.pipeline import make_feature_union
    >>> [name for name, _ in make_feature_union("both").transformer_list]
    ['face', 'audio']
    """
    from skmer.feature_extraction import FaceExtractor, MFCCExtractor

    _check_modalities(modalities)
    steps = []
    if modalities in ("both", "face"):
        face = FaceExtractor(
            face_size,
            n_frames=n_frames,
            detector=detector,
            n_jobs=n_jobs,
            cache_dir=cache_dir,
            cache_key=cache_key,
            verbose=verbose,
        )
        steps.append(("face", face))
    if modalities in ("both", "audio"):
        audio = MFCCExtractor(
            n_jobs=n_jobs, cache_dir=cache_dir, cache_key=cache_key, verbose=verbose
        )
        steps.append(("audio", audio))
    return FeatureUnion(steps)


def make_block_scaler(audio_columns):
    """Standardise the audio block of ``[face | audio]`` rows, keep the faces.

    Face pixels are already on a common scale; MFCCs are not, and the
    classifier's audio branch (and its SpecAugment noise) assumes standardised
    coefficients. Fitted inside a pipeline, the statistics come from the
    training folds only.

    Parameters
    ----------
    audio_columns : int
        Width of the audio block, the last columns of each row.

    Returns
    -------
    scaler : ColumnTransformer
        Face columns passed through, audio columns standardised, in the
        original order.

    Examples
    --------
    >>> import numpy as np
    >>> from skmer.pipeline import make_block_scaler
    >>> X = np.array([[0.5, 1.0], [0.5, 3.0]])
    >>> make_block_scaler(1).fit_transform(X)
    array([[ 0.5, -1. ],
           [ 0.5,  1. ]])
    """
    # Slices from the end: the width of the face block is not needed, and the
    # transformer pickles (callables defined here would not).
    return ColumnTransformer(
        [
            ("face", "passthrough", slice(0, -audio_columns)),
            ("audio", StandardScaler(), slice(-audio_columns, None)),
        ],
        verbose_feature_names_out=False,
    )


def make_emotion_pipeline(
    modalities="both",
    *,
    preset="recommended",
    face_size=64,
    detector="auto",
    n_jobs=None,
    cache_dir=None,
    cache_key="stat",
    random_state=None,
    verbose=0,
    **classifier_params,
):
    """Make the whole pipeline: clip paths in, emotion labels out.

    Face and audio extraction, standardisation of the MFCCs, and a
    :class:`~skmer.neural_network.DualStreamClassifier` made from a preset.
    Fit it on a list of clip paths and their labels.

    Parameters
    ----------
    modalities : {'both', 'face', 'audio'}, default='both'
        Streams of the model; a unimodal pipeline extracts its block only.
    preset : {'recommended', 'paper'}, default='recommended'
        Configuration of the classifier, see
        :meth:`DualStreamClassifier.from_preset
        <skmer.neural_network.DualStreamClassifier.from_preset>`.
    face_size : int, default=64
        Side of the face crops.
    detector : {'auto', 'yunet', 'haar', 'mtcnn'}, default='auto'
        Face detector of the :class:`~skmer.feature_extraction.FaceExtractor`:
        ``'auto'`` is YuNet when its file is present, else Haar with a
        warning (see the extractor's ``detector``).
    n_jobs : int, default=None
        Parallel workers of the extractors.
    cache_dir : str, default=None
        Per-file feature cache: a second fit or a grid search on the same
        clips decodes nothing.
    cache_key : {'stat', 'content'}, default='stat'
        What identifies a file in the cache: its path, size and modification
        time, or a hash of its bytes (see the extractors).
    random_state : int, default=None
        Seed of the classifier.
    verbose : int, default=0
        Progress bars of the extractors when positive.
    **classifier_params : dict
        Classifier parameters that override the preset's, for instance
        ``epochs=20``.

    Returns
    -------
    pipeline : Pipeline
        Steps ``'features'`` (a :class:`~sklearn.pipeline.FeatureUnion`),
        ``'scale'`` (when there is an audio block) and ``'classifier'``.

    See Also
    --------
    make_feature_union : The feature step alone.

    Examples
    --------
    >>> from skmer.pipeline import make_emotion_pipeline
    >>> pipe = make_emotion_pipeline("audio", epochs=5)
    >>> [name for name, _ in pipe.steps]
    ['features', 'scale', 'classifier']
    >>> pipe.get_params()["classifier__epochs"]
    5
    """
    from skmer.neural_network import DualStreamClassifier

    _check_modalities(modalities)
    classifier = DualStreamClassifier.from_preset(
        preset,
        modalities=modalities,
        face_shape=(face_size, face_size, 3),
        random_state=random_state,
        **classifier_params,
    )
    features = make_feature_union(
        modalities,
        n_frames=classifier.n_frames,
        face_size=face_size,
        detector=detector,
        n_jobs=n_jobs,
        cache_dir=cache_dir,
        cache_key=cache_key,
        verbose=verbose,
    )
    steps = [("features", features)]
    if modalities != "face":
        # The width of the block that the union's own extractor makes.
        audio = features.named_transformers["audio"]
        steps.append(("scale", make_block_scaler(audio.n_mfcc * audio.n_frames)))
    steps.append(("classifier", classifier))
    return Pipeline(steps)


def _check_modalities(modalities):
    if modalities not in _MODALITIES:
        raise ValueError(
            f"modalities must be one of {list(_MODALITIES)}; got {modalities!r}."
        )


__all__ = ["make_block_scaler", "make_emotion_pipeline", "make_feature_union"]
