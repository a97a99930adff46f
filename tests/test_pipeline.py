"""The ready-made pipeline: paths in, labels out, one decode per clip."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold

from skmer.pipeline import make_block_scaler, make_emotion_pipeline


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    from skmer.datasets import make_synthetic_clips

    return make_synthetic_clips(
        tmp_path_factory.mktemp("clips"),
        n_actors=4,
        n_clips_per_emotion=1,
        duration=1.0,
    )


def test_unimodal_pipeline_extracts_its_block_only(clips, tmp_path, opened):
    pipe = make_emotion_pipeline(
        "face", preset="paper", epochs=1, filters=(4, 8, 8), random_state=0
    )
    assert [name for name, _ in pipe.steps] == ["features", "classifier"]
    assert [name for name, _ in pipe[0].transformer_list] == ["face"]
    pipe.fit(clips.paths, clips.target)
    # One decode per clip: the face frames, not the audio.
    assert sorted(opened.values()) == [1] * len(clips.paths)


def test_block_scaler_standardises_audio_with_training_statistics():
    rng = np.random.default_rng(0)
    X = np.hstack([rng.random((6, 3)), 5 + 2 * rng.standard_normal((6, 2))])
    scaler = make_block_scaler(2).fit(X[:4])
    out = scaler.transform(X)
    np.testing.assert_array_equal(out[:, :3], X[:, :3])
    np.testing.assert_allclose(out[:4, 3:].mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(out[:4, 3:].std(axis=0), 1)
    assert not np.allclose(out[4:, 3:], (X[4:, 3:] - X[4:, 3:].mean(0)))


def test_grid_search_decodes_each_clip_once(clips, tmp_path, opened):
    pipe = make_emotion_pipeline(
        preset="paper",
        cache_dir=str(tmp_path / "cache"),
        epochs=1,
        early_stopping=False,
        filters=(4, 8, 8),
        branch_units=8,
        head_units=(8,),
        random_state=0,
    )
    search = GridSearchCV(
        pipe,
        {"classifier__modalities": ["audio", "both"]},
        cv=StratifiedGroupKFold(2),
    )
    search.fit(clips.paths, clips.target, groups=clips.groups)
    assert len(search.cv_results_["params"]) == 2
    # 2 candidates x 2 folds + the refit make 5 x 2 extractor passes, but
    # every clip is decoded once per extractor: the rest is the cache.
    assert set(opened.values()) == {2}
    assert sorted(opened) == sorted(clips.paths)
    assert search.predict(clips.paths[:2]).shape == (2,)


def test_unknown_modalities_are_named():
    with pytest.raises(ValueError, match=r"modalities must be one of \['both'"):
        make_emotion_pipeline("video")


def test_scaler_width_follows_the_unions_audio_extractor(monkeypatch):
    import skmer.pipeline

    make_union = skmer.pipeline.make_feature_union

    def shorter_window(*args, **kwargs):
        return make_union(*args, **kwargs).set_params(audio__n_frames=64)

    monkeypatch.setattr(skmer.pipeline, "make_feature_union", shorter_window)
    pipeline = skmer.pipeline.make_emotion_pipeline("audio", preset="paper")
    audio = pipeline.named_steps["features"].named_transformers["audio"]
    assert audio.n_frames == 64
    _, scaler, columns = pipeline.named_steps["scale"].transformers[1]
    assert columns == slice(-audio.n_mfcc * 64, None)
