"""Tests for the feature cache: damaged entries, replaced clips, odd paths.

Each fault is reproduced on a real cache filled by an extractor, and the
outcome is checked against a cache-free extraction of the same clips: the
cache gives the right features or none, never wrong ones.
"""

import glob
import os
import re
import shutil

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from skmer.exceptions import CacheWarning, SkippedFilesWarning
from skmer.feature_extraction import FaceExtractor, MFCCExtractor
from skmer.feature_extraction._cache import (
    _CHECKSUM_SIZE,
    _LENGTH,
    _MAGIC,
    FeatureCache,
)
from skmer.utils._testing import fast_extractor

EXTRACTORS = [FaceExtractor, MFCCExtractor]


@pytest.fixture
def clips(tmp_path, media_writer):
    """Two small video clips whose faces and sounds differ."""
    return [
        media_writer(tmp_path / "a.mp4", fps=25, tone=440.0),
        media_writer(tmp_path / "b.mp4", fps=20, tone=880.0),
    ]


def _entries(cache_dir):
    return sorted(glob.glob(os.path.join(cache_dir, "*", "*.features")))


def _payload_start(data):
    """Offset of the first array's bytes in an entry."""
    start = len(_MAGIC) + _CHECKSUM_SIZE
    (length,) = _LENGTH.unpack_from(data, start)
    return start + _LENGTH.size + length


def _flip_a_bit(data, other):
    # The exponent's top bit of the first float32 of X: 0.749 becomes 2.55e38.
    data[_payload_start(data) + 3] ^= 0x40
    return data


def _zero_bytes(data, other):
    start = _payload_start(data)
    data[start : start + 64] = bytes(64)
    return data


def _edit_dtype(data, other):
    return data.replace(b'"<f4"', b'">f4"', 1)


def _copy_other_clip(data, other):
    return bytearray(other)


def _edit_shapes(data, other):
    # A header that still accounts for every byte: the arrays keep their
    # size, and only their shape is wrong.
    start = len(_MAGIC) + _CHECKSUM_SIZE
    (length,) = _LENGTH.unpack_from(data, start)
    header = bytes(data[start + _LENGTH.size : start + _LENGTH.size + length])
    n = int(re.search(rb'\["X", "<f4", \[(\d+)\]\]', header).group(1))
    edited = header.replace(b"[%d]" % n, b"[2, %d]" % (n // 2), 1)
    return (
        data[:start]
        + _LENGTH.pack(len(edited))
        + edited
        + data[start + _LENGTH.size + length :]
    )


@pytest.mark.parametrize("cls", EXTRACTORS)
@pytest.mark.parametrize(
    "damage",
    [_flip_a_bit, _zero_bytes, _edit_dtype, _copy_other_clip, _edit_shapes],
    ids=["bit flip", "zeroed bytes", "edited dtype", "other clip", "edited shapes"],
)
def test_damaged_entry_is_recomputed(cls, damage, clips, tmp_path, opened):
    expected = fast_extractor(cls).transform(clips)
    cache_dir = tmp_path / "cache"
    extractor = fast_extractor(cls, cache_dir=cache_dir)
    extractor.transform(clips)
    cache = extractor._cache()
    entry, other = (cache.entry(path) for path in clips)
    with open(entry, "rb") as handle:
        intact = bytearray(handle.read())
    with open(other, "rb") as handle:
        damaged = damage(bytearray(intact), handle.read())
    assert damaged != intact
    with open(entry, "wb") as handle:
        handle.write(damaged)

    opened.clear()
    np.testing.assert_array_equal(extractor.transform(clips), expected)
    # Only the damaged clip is decoded again, and its entry is overwritten.
    assert set(opened) == {clips[0]}
    opened.clear()
    np.testing.assert_array_equal(extractor.transform(clips), expected)
    assert not opened
    assert len(_entries(cache_dir)) == 2


@pytest.mark.parametrize("cls", EXTRACTORS)
def test_intact_entry_of_the_wrong_shape_is_recomputed(cls, clips, tmp_path, opened):
    # An entry that passes its checksum but holds arrays this extractor does
    # not make (as a bug could write) is recomputed, not broadcast.
    expected = fast_extractor(cls).transform(clips)
    extractor = fast_extractor(cls, cache_dir=tmp_path / "cache")
    n = extractor._n_features_out()
    extractor._cache().save(clips[0], {"X": np.ones((2, n // 2), dtype=np.float32)})
    opened.clear()
    np.testing.assert_array_equal(extractor.transform(clips), expected)
    assert set(opened) == set(clips)
    opened.clear()
    np.testing.assert_array_equal(extractor.transform(clips), expected)
    assert not opened


def test_features_that_do_not_fit_name_the_clip_and_the_entry(
    clips, tmp_path, monkeypatch
):
    extractor = fast_extractor(MFCCExtractor, cache_dir=tmp_path / "cache")
    entry = extractor._cache().entry(clips[1])
    monkeypatch.setattr(
        MFCCExtractor,
        "_extract_file",
        lambda self, path: {"X": np.ones(3, dtype=np.float32)},
    )
    with pytest.raises(ValueError, match="could not broadcast") as excinfo:
        extractor.transform(clips[1:])
    assert excinfo.value.__notes__ == [
        f"While extracting features from {clips[1]!r} (cache entry {entry!r})."
    ]


# --------------------------------------------------------------------------
# A clip replaced by another of the same size and modification time


@pytest.fixture
def replaced(tmp_path, media_writer):
    """Replace a clip as ``cp -p`` does; return it and its old features."""

    def replace(**params):
        sr, path = 16000, tmp_path / "clip.wav"
        writer = {"video": False, "audio_codec": "pcm_s16le", "sr": sr}
        media_writer(path, tone=440.0, **writer)
        other = media_writer(tmp_path / "other.wav", tone=880.0, **writer)
        assert os.path.getsize(path) == os.path.getsize(other)
        extractor = fast_extractor(
            MFCCExtractor, cache_dir=tmp_path / "cache", **params
        )
        before = extractor.transform([path])
        status = os.stat(path)
        shutil.copyfile(other, path)
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
        assert os.stat(path).st_size == status.st_size
        expected = fast_extractor(MFCCExtractor).transform([path])
        assert not np.array_equal(before, expected)
        return extractor, str(path), before, expected

    return replace


def test_default_key_trusts_size_and_mtime(replaced):
    # Documented: cache_key='stat' keeps the replaced clip's old features.
    extractor, path, before, expected = replaced()
    np.testing.assert_array_equal(extractor.transform([path]), before)


def test_content_key_sees_a_same_size_and_mtime_replacement(replaced, opened):
    extractor, path, before, expected = replaced(cache_key="content")
    opened.clear()
    np.testing.assert_array_equal(extractor.transform([path]), expected)
    assert set(opened) == {path}
    opened.clear()
    np.testing.assert_array_equal(extractor.transform([path]), expected)
    assert not opened


@pytest.mark.parametrize("cls", EXTRACTORS)
def test_content_key_follows_a_moved_clip(cls, clips, tmp_path, opened):
    extractor = fast_extractor(cls, cache_dir=tmp_path / "cache", cache_key="content")
    expected = extractor.transform(clips)
    moved = shutil.move(clips[0], tmp_path / "moved.mp4")
    opened.clear()
    np.testing.assert_array_equal(extractor.transform([moved, clips[1]]), expected)
    assert not opened


def test_cache_key_is_validated(clips):
    # The options are a set, printed in either order.
    msg = "The 'cache_key' parameter of MFCCExtractor must be a str among {'"
    with pytest.raises(InvalidParameterError, match=re.escape(msg)) as excinfo:
        fast_extractor(MFCCExtractor, cache_key="mtime").transform(clips)
    assert str(excinfo.value).endswith("}. Got 'mtime' instead.")
    assert "'stat'" in str(excinfo.value) and "'content'" in str(excinfo.value)


# --------------------------------------------------------------------------
# Paths that are not UTF-8


@pytest.fixture
def undecodable_name(tmp_path):
    """A path whose file name holds the byte 0xff, not valid UTF-8."""

    def make(source, suffix):
        path = os.path.join(os.fsencode(tmp_path), b"clip\xff" + suffix)
        try:
            shutil.copyfile(source, path)
        except (OSError, UnicodeError) as exc:
            pytest.skip(f"the filesystem refuses the name {path!r}: {exc}")
        return os.fsdecode(path)

    return make


@pytest.mark.parametrize("cache_key", ["stat", "content"])
@pytest.mark.parametrize("cls", EXTRACTORS)
def test_non_utf8_path_is_cached(
    cls, cache_key, clips, undecodable_name, tmp_path, opened
):
    path = undecodable_name(clips[0], b".mp4")
    expected = fast_extractor(cls).transform([clips[0]])
    extractor = fast_extractor(cls, cache_dir=tmp_path / "cache", cache_key=cache_key)
    np.testing.assert_array_equal(extractor.transform([path]), expected)
    assert len(_entries(tmp_path / "cache")) == 1
    opened.clear()
    np.testing.assert_array_equal(extractor.transform([path]), expected)
    assert not opened


def test_non_utf8_path_of_a_bad_file_is_skipped(undecodable_name, tmp_path):
    source = tmp_path / "noise.bin"
    source.write_bytes(bytes(range(256)) * 8)
    path = undecodable_name(source, b".wav")
    extractor = fast_extractor(
        MFCCExtractor, cache_dir=tmp_path / "cache", on_error="skip"
    )
    with pytest.warns(SkippedFilesWarning, match=re.escape(repr(path))):
        X = extractor.transform([path])
    assert np.isnan(X).all()


# --------------------------------------------------------------------------
# Writing entries


def test_full_disk_during_a_cache_write(clips, tmp_path, full_disk):
    expected = fast_extractor(MFCCExtractor).transform(clips)
    cache_dir = tmp_path / "cache"
    msg = f"Cannot write to the feature cache {str(cache_dir)!r} (Could not write "
    with pytest.warns(CacheWarning, match=re.escape(msg)) as record:
        X = fast_extractor(MFCCExtractor, cache_dir=cache_dir).transform(clips)
    assert len(record) == 1
    assert "No space left on device" in str(record[0].message)
    np.testing.assert_array_equal(X, expected)
    # No entry, and no temporary file, is left behind.
    assert [name for _, _, names in os.walk(cache_dir) for name in names] == []


def test_entries_are_written_whole(clips, tmp_path):
    cache_dir = tmp_path / "cache"
    X = fast_extractor(MFCCExtractor, cache_dir=cache_dir).transform(clips)
    files = [name for _, _, names in os.walk(cache_dir) for name in names]
    assert len(files) == 2
    assert all(name.endswith(".features") for name in files)
    np.testing.assert_array_equal(
        fast_extractor(MFCCExtractor, cache_dir=cache_dir).transform(clips), X
    )


def test_entries_of_the_previous_format_are_a_miss(clips, tmp_path, opened):
    # Format 2 had no checksum and no key: such a file, even at the right
    # place, is recomputed.
    expected = fast_extractor(MFCCExtractor).transform(clips[:1])
    extractor = fast_extractor(MFCCExtractor, cache_dir=tmp_path / "cache")
    entry = extractor._cache().entry(clips[0])
    os.makedirs(os.path.dirname(entry))
    header = b'[["X", "<f4", [40]]]'
    with open(entry, "wb") as handle:
        handle.write(b"SKMERC2\n" + _LENGTH.pack(len(header)) + header + bytes(160))
    opened.clear()
    np.testing.assert_array_equal(extractor.transform(clips[:1]), expected)
    assert set(opened) == {clips[0]}


def test_feature_cache_key_is_validated(tmp_path):
    msg = "key must be one of ('stat', 'content'); got 'mtime'."
    with pytest.raises(ValueError, match=re.escape(msg)):
        FeatureCache(tmp_path, {"extractor": "E"}, key="mtime")
