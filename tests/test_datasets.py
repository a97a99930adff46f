"""Tests for the dataset loaders, filename parsers and the CREMA-D downloader."""

import hashlib
import itertools
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from skmer.datasets import (
    _crema_d,
    _emodb,
    _fetch,
    _ravdess,
    fetch_crema_d,
    get_data_home,
    load_crema_d,
    load_dataset,
    load_emodb,
    load_labeled_folder,
    load_ravdess,
    parse_crema_d_filename,
    parse_emodb_filename,
    parse_ravdess_filename,
)

CREMA_D_FIX = (
    "Pass root= the folder that holds VideoFlash/, AudioWAV/ or AudioMP3/, "
    "or download the files with fetch_crema_d()."
)
BUNCH_KEYS = {"paths", "target", "groups", "frame", "target_names", "DESCR"}


def touch(path):
    """Create an empty file and its folders; loaders never read the content."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


# %%
# get_data_home


def test_get_data_home_explicit_path_is_created(tmp_path):
    home = get_data_home(tmp_path / "a" / "skmer_data")
    assert home == str(tmp_path / "a" / "skmer_data")
    assert os.path.isdir(home)


def test_get_data_home_uses_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("SKMER_DATA", str(tmp_path / "from_env"))
    assert get_data_home() == str(tmp_path / "from_env")
    # An explicit argument wins over the variable.
    assert get_data_home(tmp_path / "explicit") == str(tmp_path / "explicit")


def test_get_data_home_default_expands_user(tmp_path, monkeypatch):
    monkeypatch.delenv("SKMER_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert get_data_home() == str(tmp_path / "skmer_data")
    assert get_data_home("~/other") == str(tmp_path / "other")
    assert os.path.isdir(tmp_path / "other")


# %%
# Filename parsers


def test_loaders_speak_one_vocabulary():
    # Every label a loader, the vote reader or the synthetic clips can give
    # is a code of the one vocabulary, whatever the corpus calls it.
    from skmer.datasets import _crema_d, _emodb, _ravdess, _synthetic
    from skmer.datasets._base import EMOTION_NAMES

    labels = {
        "CREMA-D": set(_crema_d.EMOTIONS),
        "CREMA-D votes": set(_crema_d._VOTE_CODES.values()),
        "EmoDB": set(_emodb.EMOTIONS.values()),
        "RAVDESS": set(_ravdess.EMOTIONS.values()),
        "synthetic": set(_synthetic._FACE) | set(_synthetic._VOICE),
    }
    outside = {name: codes - set(EMOTION_NAMES) for name, codes in labels.items()}
    assert not any(outside.values()), outside
    assert set().union(*labels.values()) == set(EMOTION_NAMES)


def test_parse_crema_d_filename_round_trip():
    codes = itertools.product(
        ["1001", "1091"], _crema_d.SENTENCES, _crema_d.EMOTIONS, _crema_d.INTENSITIES
    )
    for actor, sentence, emotion, intensity in codes:
        name = f"{actor}_{sentence}_{emotion}_{intensity}"
        fields = parse_crema_d_filename(name)
        assert "_".join(fields.values()) == name
        assert parse_crema_d_filename(f"VideoFlash/{name}.flv") == fields
        assert parse_crema_d_filename(Path("AudioWAV") / f"{name}.wav") == fields


def test_parse_crema_d_filename_fields():
    assert parse_crema_d_filename("1001_DFA_ANG_XX.flv") == {
        "actor": "1001",
        "sentence": "DFA",
        "emotion": "ANG",
        "intensity": "XX",
    }


@pytest.mark.parametrize(
    "name, reason",
    [
        (
            "1001_DFA_ANG.flv",
            "expected ActorID_Sentence_Emotion_Level, e.g. '1001_DFA_ANG_XX.flv'.",
        ),
        (
            "01-01-07-02-02-01-01.mp4",
            "expected ActorID_Sentence_Emotion_Level, e.g. '1001_DFA_ANG_XX.flv'.",
        ),
        (
            "1001_XYZ_ANG_XX.flv",
            "sentence code 'XYZ' is not one of IEO, TIE, IOM, IWW, TAI, MTI, IWL, "
            "ITH, DFA, ITS, TSI, WSI.",
        ),
        (
            "1001_DFA_JOY_XX",
            "emotion code 'JOY' is not one of ANG, DIS, FEA, HAP, NEU, SAD.",
        ),
        (
            "1001_IEO_ANG_VH",
            "intensity code 'VH' is not one of LO, MD, HI, XX.",
        ),
    ],
)
def test_parse_crema_d_filename_errors(name, reason):
    msg = f"Cannot parse CREMA-D filename {name!r}: {reason}"
    with pytest.raises(ValueError, match=re.escape(msg)):
        parse_crema_d_filename(name)


def _format_ravdess(fields):
    """Rebuild a RAVDESS name from parsed fields through the code tables."""
    inverse = [
        ({v: k for k, v in _ravdess.MODALITIES.items()}, fields["modality"]),
        ({v: k for k, v in _ravdess.VOCAL_CHANNELS.items()}, fields["vocal_channel"]),
        ({v: k for k, v in _ravdess.EMOTIONS.items()}, fields["emotion"]),
        ({v: k for k, v in _ravdess.INTENSITIES.items()}, fields["intensity"]),
    ]
    codes = [table[value] for table, value in inverse]
    codes += [fields["statement"], fields["repetition"], fields["actor"]]
    return "-".join(codes)


def test_parse_ravdess_filename_round_trip_every_code():
    codes = itertools.product(
        _ravdess.MODALITIES,
        _ravdess.VOCAL_CHANNELS,
        _ravdess.EMOTIONS,
        _ravdess.INTENSITIES,
        _ravdess.STATEMENTS,
        _ravdess.REPETITIONS,
        _ravdess.ACTORS,
    )
    n_names = 0
    for code in codes:
        name = "-".join(code)
        fields = parse_ravdess_filename(name + ".wav")
        assert _format_ravdess(fields) == name
        assert fields["emotion_code"] == code[2]
        assert fields["sex"] == ("male" if int(code[6]) % 2 else "female")
        n_names += 1
    assert n_names == 3 * 2 * 8 * 2 * 2 * 2 * 24


@pytest.mark.parametrize(
    "code, emotion",
    [
        ("01", "NEU"),
        ("02", "CAL"),
        ("03", "HAP"),
        ("04", "SAD"),
        ("05", "ANG"),
        ("06", "FEA"),
        ("07", "DIS"),
        ("08", "SUR"),
    ],
)
def test_parse_ravdess_filename_emotion_table(code, emotion):
    assert parse_ravdess_filename(f"03-01-{code}-01-01-01-01")["emotion"] == emotion


def test_parse_ravdess_filename_documented_example():
    assert parse_ravdess_filename("Actor_12/03-01-05-01-02-01-12.wav") == {
        "modality": "audio-only",
        "vocal_channel": "speech",
        "emotion": "ANG",
        "emotion_code": "05",
        "intensity": "normal",
        "statement": "02",
        "repetition": "01",
        "actor": "12",
        "sex": "female",
    }


def test_parse_ravdess_filename_accepts_underscore_suffix():
    fields = parse_ravdess_filename("01-01-07-02-02-01-01_1.mp4")
    assert fields == parse_ravdess_filename("01-01-07-02-02-01-01.mp4")
    assert (fields["modality"], fields["vocal_channel"]) == ("audio-video", "speech")
    assert (fields["emotion"], fields["intensity"]) == ("DIS", "strong")
    assert (fields["actor"], fields["sex"]) == ("01", "male")


@pytest.mark.parametrize(
    "name, reason",
    [
        (
            "03-01-05-01-02-01.wav",
            "expected 7 dash-separated two-digit fields, "
            "e.g. '03-01-05-01-02-01-12.wav'.",
        ),
        (
            "1001_DFA_ANG_XX.flv",
            "expected 7 dash-separated two-digit fields, "
            "e.g. '03-01-05-01-02-01-12.wav'.",
        ),
        ("04-01-05-01-02-01-12.wav", "modality code '04' is not one of 01, 02, 03."),
        ("03-03-05-01-02-01-12.wav", "vocal channel code '03' is not one of 01, 02."),
        (
            "03-01-09-01-02-01-12.wav",
            "emotion code '09' is not one of 01, 02, 03, 04, 05, 06, 07, 08.",
        ),
        ("03-01-05-03-02-01-12.wav", "intensity code '03' is not one of 01, 02."),
        ("03-01-05-01-00-01-12.wav", "statement code '00' is not one of 01, 02."),
        ("03-01-05-01-02-03-12.wav", "repetition code '03' is not one of 01, 02."),
        ("03-01-05-01-02-01-25.wav", "actor code '25' is not one of 01, 02, "),
    ],
)
def test_parse_ravdess_filename_errors(name, reason):
    msg = f"Cannot parse RAVDESS filename {name!r}: {reason}"
    with pytest.raises(ValueError, match=re.escape(msg)):
        parse_ravdess_filename(name)


def test_parse_emodb_filename_round_trip():
    codes = itertools.product(_emodb.SPEAKERS, _emodb.TEXTS, _emodb.EMOTIONS, "abcdef")
    for speaker, text, letter, version in codes:
        name = f"{speaker}{text}{letter}{version}"
        fields = parse_emodb_filename(f"wav/{name}.wav")
        rebuilt = fields["actor"] + fields["text"] + fields["emotion_code"]
        assert rebuilt + fields["version"] == name
        assert fields["emotion"] == _emodb.EMOTIONS[letter]


def test_parse_emodb_filename_documented_example():
    assert parse_emodb_filename("03a01Fa.wav") == {
        "actor": "03",
        "text": "a01",
        "emotion": "HAP",
        "emotion_code": "F",
        "version": "a",
    }
    mapping = {"W": "ANG", "L": "BOR", "E": "DIS", "A": "FEA", "F": "HAP"}
    mapping.update({"T": "SAD", "N": "NEU"})
    for letter, emotion in mapping.items():
        assert parse_emodb_filename(f"10b02{letter}b")["emotion"] == emotion


@pytest.mark.parametrize(
    "name, reason",
    [
        (
            "3a01Fa.wav",
            "expected speaker (2 digits), text (letter and 2 digits), emotion "
            "letter and version letter, e.g. '03a01Fa.wav'.",
        ),
        (
            "03a01Fa1.wav",
            "expected speaker (2 digits), text (letter and 2 digits), emotion "
            "letter and version letter, e.g. '03a01Fa.wav'.",
        ),
        ("03a01Xa.wav", "emotion letter 'X' is not one of W, L, E, A, F, T, N."),
    ],
)
def test_parse_emodb_filename_errors(name, reason):
    msg = f"Cannot parse EmoDB filename {name!r}: {reason}"
    with pytest.raises(ValueError, match=re.escape(msg)):
        parse_emodb_filename(name)


# %%
# CREMA-D loader on tiny trees

CREMA_D_CLIPS = [
    "1001_DFA_ANG_XX",
    "1001_IEO_SAD_HI",
    "1001_IEO_SAD_LO",
    "1002_DFA_HAP_XX",
    "1002_IEO_NEU_XX",
    "1003_TSI_FEA_XX",
]
DEMOGRAPHICS_CSV = """\
"ActorID","Age","Sex","Race","Ethnicity"
1001,51,"Male","Caucasian","Not Hispanic"
1002,21,"Female","Caucasian","Not Hispanic"
1003,21,"Female","Asian","Hispanic"
"""
SUMMARY_CSV = """\
"","FileName","VoiceVote","VoiceLevel","FaceVote","FaceLevel","MultiModalVote","MultiModalLevel"
"1","1001_DFA_ANG_XX","A","47.33","A","41.8","A","41.5"
"2","1001_IEO_SAD_HI","N","60.14","A:S","30.67:51.00","S","63.5"
"3","1001_IEO_SAD_LO","N","73.71","N","73.5","N","74.8"
"4","1002_DFA_HAP_XX","H","45.57","H","65.8","H","56.75"
"5","1002_IEO_NEU_XX","N","86","N","77.44","N","84.6"
"""


@pytest.fixture
def crema_root(tmp_path):
    root = tmp_path / "CREMA-D"
    for clip in CREMA_D_CLIPS:
        touch(root / "VideoFlash" / f"{clip}.flv")
        touch(root / "AudioWAV" / f"{clip}.wav")
    touch(root / "AudioMP3" / "1002_DFA_HAP_XX.mp3")
    # Files that are not CREMA-D media: skipped silently.
    touch(root / "VideoFlash" / "README.txt")
    touch(root / "VideoFlash" / "._1001_DFA_ANG_XX.flv")
    return root


def test_load_crema_d_bunch(crema_root):
    data = load_crema_d(crema_root)
    assert set(data) == BUNCH_KEYS
    expected = [str(crema_root / "VideoFlash" / f"{c}.flv") for c in CREMA_D_CLIPS]
    assert data.paths.tolist() == expected
    assert data.target.tolist() == ["ANG", "SAD", "SAD", "HAP", "NEU", "FEA"]
    assert data.groups.tolist() == ["1001"] * 3 + ["1002"] * 2 + ["1003"]
    assert data.target_names.tolist() == ["ANG", "FEA", "HAP", "NEU", "SAD"]
    assert list(data.frame.columns) == [
        "path",
        "actor",
        "sentence",
        "emotion",
        "emotion_code",
        "intensity",
    ]
    assert data.frame["intensity"].tolist() == ["XX", "HI", "LO", "XX", "XX", "XX"]
    assert data.frame["path"].tolist() == expected
    assert "Cao" in data.DESCR and "Open Database License" in data.DESCR


@pytest.mark.parametrize(
    "media, folder, suffix, n_files",
    [
        ("video", "VideoFlash", ".flv", 6),
        ("wav", "AudioWAV", ".wav", 6),
        ("mp3", "AudioMP3", ".mp3", 1),
    ],
)
def test_load_crema_d_media(crema_root, media, folder, suffix, n_files):
    data = load_crema_d(crema_root, media=media)
    assert len(data.paths) == n_files
    assert all(Path(p).parent == crema_root / folder for p in data.paths)
    assert all(p.endswith(suffix) for p in data.paths)


def test_load_crema_d_filters(crema_root):
    data = load_crema_d(crema_root, emotions="SAD")
    assert data.target.tolist() == ["SAD", "SAD"]
    data = load_crema_d(crema_root, actors=[1002, "1003"])
    assert sorted(set(data.groups)) == ["1002", "1003"]
    data = load_crema_d(crema_root, sentences=["IEO"], intensities=("HI", "XX"))
    assert [Path(p).stem for p in data.paths] == ["1001_IEO_SAD_HI", "1002_IEO_NEU_XX"]
    data = load_crema_d(crema_root, emotions=["ANG", "HAP"], actors=1001)
    assert data.target.tolist() == ["ANG"]
    assert data.target_names.tolist() == ["ANG"]


@pytest.mark.parametrize(
    "kwargs, msg",
    [
        ({"media": "avi"}, "media must be one of 'mp3', 'video', 'wav'; got 'avi'."),
        (
            {"emotions": ["ANG", "JOY"]},
            "emotions must contain only values among 'ANG', 'DIS', 'FEA', 'HAP', "
            "'NEU', 'SAD'; got 'JOY'.",
        ),
        (
            {"actors": 999},
            "actors must contain only values among '1001', '1002', '1003', ..., "
            "'1091'; got 999.",
        ),
        (
            {"sentences": "ABC"},
            "sentences must contain only values among 'DFA', 'IEO', 'IOM', 'ITH', "
            "'ITS', 'IWL', 'IWW', 'MTI', 'TAI', 'TIE', 'TSI', 'WSI'; got 'ABC'.",
        ),
        (
            {"intensities": ["hi"]},
            "intensities must contain only values among 'HI', 'LO', 'MD', 'XX'; "
            "got 'hi'.",
        ),
    ],
)
def test_load_crema_d_invalid_arguments(crema_root, kwargs, msg):
    with pytest.raises(ValueError, match=re.escape(msg)):
        load_crema_d(crema_root, **kwargs)


def test_load_crema_d_no_file_matches_filters(crema_root):
    folder = str(crema_root / "VideoFlash")
    msg = (
        f"None of the 6 CREMA-D video files in {folder!r} matches "
        "emotions='DIS', actors=[1001]."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        load_crema_d(crema_root, emotions="DIS", actors=[1001])


def test_load_crema_d_missing_root(tmp_path):
    root = str(tmp_path / "missing")
    msg = (
        f"CREMA-D root {root!r} does not exist or is not a folder. Expected files "
        f"laid out like 'VideoFlash/1001_DFA_ANG_XX.flv' under it. {CREMA_D_FIX}"
    )
    with pytest.raises(FileNotFoundError, match=re.escape(msg)):
        load_crema_d(root)


def test_load_crema_d_missing_media_folder(crema_root):
    shutil.rmtree(crema_root / "AudioMP3")
    msg = (
        f"CREMA-D root {str(crema_root)!r} has no AudioMP3/ folder for "
        "media='mp3': expected files like 'AudioMP3/1001_DFA_ANG_XX.mp3' under it. "
        + CREMA_D_FIX
    )
    with pytest.raises(FileNotFoundError, match=re.escape(msg)):
        load_crema_d(crema_root, media="mp3")


def test_load_crema_d_folder_without_crema_d_files(tmp_path):
    touch(tmp_path / "VideoFlash" / "notes.txt")
    touch(tmp_path / "VideoFlash" / "1001_DFA_ANG_XX.wav")
    folder = str(tmp_path / "VideoFlash")
    msg = (
        f"No CREMA-D video file in {folder!r}: expected names like "
        "'1001_DFA_ANG_XX.flv' (ActorID_Sentence_Emotion_Level). " + CREMA_D_FIX
    )
    with pytest.raises(FileNotFoundError, match=re.escape(msg)):
        load_crema_d(tmp_path)


def test_load_crema_d_skips_unrecognised_names_with_warning(crema_root):
    touch(crema_root / "VideoFlash" / "1001_DFA_ANG_XX_copy.flv")
    touch(crema_root / "VideoFlash" / "clip.flv")
    folder = str(crema_root / "VideoFlash")
    msg = (
        f"Ignored 2 file(s) in {folder!r} whose names do not follow the CREMA-D "
        "pattern ActorID_Sentence_Emotion_Level.flv; the first is "
        "'1001_DFA_ANG_XX_copy.flv'."
    )
    with pytest.warns(UserWarning, match=re.escape(msg)):
        data = load_crema_d(crema_root)
    assert len(data.paths) == len(CREMA_D_CLIPS)


@pytest.mark.parametrize(
    "summary", ["processedResults/summaryTable.csv", "summaryTable.csv"]
)
def test_load_crema_d_demographics_and_votes(crema_root, summary):
    (crema_root / "VideoDemographics.csv").write_text(DEMOGRAPHICS_CSV)
    (crema_root / summary).parent.mkdir(exist_ok=True)
    (crema_root / summary).write_text(SUMMARY_CSV)
    frame = load_crema_d(crema_root).frame
    frame.index = [Path(path).stem for path in frame["path"]]
    assert frame.loc["1001_DFA_ANG_XX", "age"] == 51
    assert frame.loc["1002_DFA_HAP_XX", "sex"] == "female"
    assert frame.loc["1003_TSI_FEA_XX", "race"] == "Asian"
    assert frame.loc["1003_TSI_FEA_XX", "ethnicity"] == "Hispanic"

    sad_hi = frame.loc["1001_IEO_SAD_HI"]
    assert sad_hi["voice_vote"] == "NEU"
    assert sad_hi["face_vote"] == "ANG:SAD"
    assert sad_hi["face_level"] == "30.67:51.00"
    assert sad_hi["multimodal_vote"] == "SAD"
    # A tie that contains the acted emotion is not a correct majority vote.
    assert not sad_hi["voice_correct"] and not sad_hi["face_correct"]
    assert sad_hi["multimodal_correct"]
    assert frame.loc["1001_DFA_ANG_XX", "voice_correct"]

    # A clip missing from the table has missing votes, not wrong ones.
    missing = frame.loc["1003_TSI_FEA_XX"]
    assert pd.isna(missing["voice_vote"]) and pd.isna(missing["face_correct"])
    assert str(frame["voice_correct"].dtype) == "boolean"


def test_load_crema_d_votes_columns_order(crema_root):
    (crema_root / "summaryTable.csv").write_text(SUMMARY_CSV)
    columns = list(load_crema_d(crema_root).frame.columns)
    assert columns[6:] == [
        f"{key}_{kind}"
        for key in ["voice", "face", "multimodal"]
        for kind in ["vote", "level", "correct"]
    ]


def test_load_crema_d_bad_demographics(crema_root):
    path = crema_root / "VideoDemographics.csv"
    path.write_text("ActorID,Age\n1001,51\n")
    msg = (
        f"CREMA-D demographics file {str(path)!r} must have the columns "
        "ActorID, Age, Sex, Race, Ethnicity; missing Sex, Race, Ethnicity."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        load_crema_d(crema_root)


def test_load_crema_d_bad_summary_table(crema_root):
    path = crema_root / "summaryTable.csv"
    path.write_text("FileName,VoiceVote\n1001_DFA_ANG_XX,A\n")
    msg = (
        f"CREMA-D summary table {str(path)!r} must have the columns FileName, "
        "VoiceVote, VoiceLevel, FaceVote, FaceLevel, MultiModalVote, "
        "MultiModalLevel; missing VoiceLevel, FaceVote, FaceLevel, "
        "MultiModalVote, MultiModalLevel."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        load_crema_d(crema_root)


# %%
# RAVDESS loader on tiny trees

RAVDESS_FILES = [
    "Actor_01/01-01-05-01-01-01-01.mp4",  # audio-video speech, angry
    "Actor_01/02-01-05-01-01-01-01.mp4",  # video-only speech
    "Actor_01/01-02-03-02-02-01-01.mp4",  # audio-video song, happy
    "Actor_02/01-01-02-02-01-02-02.mp4",  # audio-video speech, calm
    "Actor_02/01-01-08-01-02-01-02_1.mp4",  # renamed copy, surprised
    "audio/Actor_01/03-01-05-01-01-01-01.wav",  # audio-only speech
    "audio/Actor_02/03-02-04-01-01-01-02.wav",  # audio-only song, sad
]


@pytest.fixture
def ravdess_root(tmp_path):
    root = tmp_path / "RAVDESS"
    for name in RAVDESS_FILES:
        touch(root / name)
    touch(root / "Video_Speech_Actor_01.zip")
    touch(root / "Actor_01" / "notes.txt")
    return root


def test_load_ravdess_defaults_to_audio_video_speech(ravdess_root):
    data = load_ravdess(ravdess_root)
    assert set(data) == BUNCH_KEYS
    assert [os.path.relpath(p, ravdess_root) for p in data.paths] == [
        "Actor_01/01-01-05-01-01-01-01.mp4",
        "Actor_02/01-01-02-02-01-02-02.mp4",
        "Actor_02/01-01-08-01-02-01-02_1.mp4",
    ]
    assert data.target.tolist() == ["ANG", "CAL", "SUR"]
    assert data.groups.tolist() == ["01", "02", "02"]
    assert data.target_names.tolist() == ["ANG", "CAL", "SUR"]
    assert list(data.frame.columns) == [
        "path",
        "modality",
        "vocal_channel",
        "emotion",
        "emotion_code",
        "intensity",
        "statement",
        "repetition",
        "actor",
        "sex",
    ]
    assert data.frame["emotion_code"].tolist() == ["05", "02", "08"]
    assert data.frame["sex"].tolist() == ["male", "female", "female"]
    assert "Livingstone" in data.DESCR and "CC BY-NC-SA 4.0" in data.DESCR


def test_load_ravdess_modality_and_channel(ravdess_root):
    everything = load_ravdess(ravdess_root, modality=None, vocal_channel=None)
    assert len(everything.paths) == len(RAVDESS_FILES)
    audio = load_ravdess(ravdess_root, modality="audio-only", vocal_channel=None)
    assert audio.target.tolist() == ["ANG", "SAD"]
    assert all(p.endswith(".wav") for p in audio.paths)
    song = load_ravdess(ravdess_root, vocal_channel="song", modality=None)
    assert song.frame["vocal_channel"].unique().tolist() == ["song"]
    assert len(song.paths) == 2
    video = load_ravdess(ravdess_root, modality="video-only")
    assert [Path(p).name for p in video.paths] == ["02-01-05-01-01-01-01.mp4"]


def test_load_ravdess_filters(ravdess_root):
    kwargs = {"modality": None, "vocal_channel": None}
    data = load_ravdess(ravdess_root, actors=2, **kwargs)
    assert set(data.groups) == {"02"}
    data = load_ravdess(ravdess_root, actors=["01", 2], emotions=["ANG"], **kwargs)
    assert len(data.paths) == 3
    data = load_ravdess(ravdess_root, intensities="strong", **kwargs)
    assert data.target.tolist() == ["HAP", "CAL"]
    data = load_ravdess(ravdess_root, statements=2, **kwargs)
    assert data.frame["statement"].unique().tolist() == ["02"]


@pytest.mark.parametrize(
    "kwargs, msg",
    [
        (
            {"modality": "av"},
            "modality must be one of 'audio-only', 'audio-video', 'video-only'; "
            "got 'av'.",
        ),
        (
            {"vocal_channel": "singing"},
            "vocal_channel must be one of 'song', 'speech'; got 'singing'.",
        ),
        (
            {"emotions": "BOR"},
            "emotions must contain only values among 'ANG', 'CAL', 'DIS', 'FEA', "
            "'HAP', 'NEU', 'SAD', 'SUR'; got 'BOR'.",
        ),
        (
            {"actors": [1, 25]},
            "actors must contain only values among '01', '02', '03', ..., '24'; "
            "got 25.",
        ),
        (
            {"intensities": "high"},
            "intensities must contain only values among 'normal', 'strong'; "
            "got 'high'.",
        ),
        (
            {"statements": 3},
            "statements must contain only values among '01', '02'; got 3.",
        ),
    ],
)
def test_load_ravdess_invalid_arguments(ravdess_root, kwargs, msg):
    with pytest.raises(ValueError, match=re.escape(msg)):
        load_ravdess(ravdess_root, **kwargs)


def test_load_ravdess_no_file_matches_filters(ravdess_root):
    msg = (
        f"None of the 7 RAVDESS files in {str(ravdess_root)!r} matches "
        "modality='audio-video', vocal_channel='speech', emotions='DIS'."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        load_ravdess(ravdess_root, emotions="DIS")


RAVDESS_FIX = (
    "Pass root= the folder that holds the extracted Actor_01/ ... Actor_24/ "
    "folders of the release (https://zenodo.org/records/1188976)."
)


def test_load_ravdess_missing_root(tmp_path):
    root = str(tmp_path / "missing")
    msg = (
        f"RAVDESS root {root!r} does not exist or is not a folder. Expected files "
        f"laid out like 'Actor_12/03-01-05-01-02-01-12.wav' under it. {RAVDESS_FIX}"
    )
    with pytest.raises(FileNotFoundError, match=re.escape(msg)):
        load_ravdess(root)


def test_load_ravdess_only_archives(tmp_path):
    touch(tmp_path / "Video_Speech_Actor_01.zip")
    touch(tmp_path / "Audio_Speech_Actors_01-24.zip")
    msg = (
        f"No RAVDESS file in {str(tmp_path)!r} or its sub-folders: expected .mp4 "
        "or .wav files named like '03-01-05-01-02-01-12.wav'. It holds 2 zip "
        "archive(s), which the loader does not open: extract them first. " + RAVDESS_FIX
    )
    with pytest.raises(FileNotFoundError, match=re.escape(msg)):
        load_ravdess(tmp_path)


def test_load_ravdess_empty_folder(tmp_path):
    msg = (
        f"No RAVDESS file in {str(tmp_path)!r} or its sub-folders: expected .mp4 "
        "or .wav files named like '03-01-05-01-02-01-12.wav'. " + RAVDESS_FIX
    )
    with pytest.raises(FileNotFoundError, match=re.escape(msg)):
        load_ravdess(tmp_path)


def test_load_ravdess_skips_unrecognised_names_with_warning(ravdess_root):
    touch(ravdess_root / "Actor_01" / "intro.mp4")
    msg = (
        f"Ignored 1 file(s) in {str(ravdess_root)!r} whose names do not follow "
        "the RAVDESS pattern MM-VV-EE-II-SS-RR-AA (seven two-digit codes); the "
        "first is 'intro.mp4'."
    )
    with pytest.warns(UserWarning, match=re.escape(msg)):
        data = load_ravdess(ravdess_root)
    assert len(data.paths) == 3


# %%
# EmoDB loader on tiny trees

EMODB_FILES = ["03a01Fa.wav", "03a01Wa.wav", "08b10Lc.wav", "16a05Td.wav"]
EMODB_FIX = "Pass root= the EmoDB folder (the one that holds wav/) or its wav/ folder."


@pytest.fixture
def emodb_root(tmp_path):
    root = tmp_path / "emodb"
    for name in EMODB_FILES:
        touch(root / "wav" / name)
    touch(root / "erkennung.txt")
    return root


@pytest.mark.parametrize("sub", ["", "wav"])
def test_load_emodb_bunch(emodb_root, sub):
    data = load_emodb(emodb_root / sub if sub else emodb_root)
    assert set(data) == BUNCH_KEYS
    assert data.paths.tolist() == [str(emodb_root / "wav" / n) for n in EMODB_FILES]
    assert data.target.tolist() == ["HAP", "ANG", "BOR", "SAD"]
    assert data.groups.tolist() == ["03", "03", "08", "16"]
    assert list(data.frame.columns) == [
        "path",
        "actor",
        "text",
        "emotion",
        "emotion_code",
        "version",
        "sex",
        "age",
    ]
    assert data.frame["emotion_code"].tolist() == ["F", "W", "L", "T"]
    assert data.frame["sex"].tolist() == ["male", "male", "female", "female"]
    assert data.frame["age"].tolist() == [31, 31, 34, 31]
    assert "Burkhardt" in data.DESCR and "research" in data.DESCR


def test_load_emodb_flat_folder(tmp_path):
    touch(tmp_path / "03a01Fa.wav")
    assert load_emodb(tmp_path).target.tolist() == ["HAP"]


def test_load_emodb_filters(emodb_root):
    assert load_emodb(emodb_root, actors=3).target.tolist() == ["HAP", "ANG"]
    assert load_emodb(emodb_root, emotions=["BOR", "SAD"]).groups.tolist() == [
        "08",
        "16",
    ]
    assert load_emodb(emodb_root, texts="a01", emotions="ANG").target.tolist() == [
        "ANG"
    ]


@pytest.mark.parametrize(
    "kwargs, msg",
    [
        (
            {"emotions": "CAL"},
            "emotions must contain only values among 'ANG', 'BOR', 'DIS', 'FEA', "
            "'HAP', 'NEU', 'SAD'; got 'CAL'.",
        ),
        (
            {"actors": 4},
            "actors must contain only values among '03', '08', '09', '10', '11', "
            "'12', '13', '14', '15', '16'; got 4.",
        ),
        (
            {"texts": "a03"},
            "texts must contain only values among 'a01', 'a02', 'a04', 'a05', "
            "'a07', 'b01', 'b02', 'b03', 'b09', 'b10'; got 'a03'.",
        ),
    ],
)
def test_load_emodb_invalid_arguments(emodb_root, kwargs, msg):
    with pytest.raises(ValueError, match=re.escape(msg)):
        load_emodb(emodb_root, **kwargs)


def test_load_emodb_no_file_matches_filters(emodb_root):
    folder = str(emodb_root / "wav")
    msg = f"None of the 4 EmoDB files in {folder!r} matches emotions='DIS'."
    with pytest.raises(ValueError, match=re.escape(msg)):
        load_emodb(emodb_root, emotions="DIS")


def test_load_emodb_missing_root(tmp_path):
    root = str(tmp_path / "missing")
    msg = (
        f"EmoDB root {root!r} does not exist or is not a folder. Expected files "
        f"laid out like 'wav/03a01Fa.wav' under it. {EMODB_FIX}"
    )
    with pytest.raises(FileNotFoundError, match=re.escape(msg)):
        load_emodb(root)


def test_load_emodb_folder_without_emodb_files(tmp_path):
    touch(tmp_path / "wav" / "hello.mp3")
    folder = str(tmp_path / "wav")
    msg = (
        f"No EmoDB file in {folder!r}: expected .wav files named like "
        f"'03a01Fa.wav' (speaker, text, emotion letter, version). {EMODB_FIX}"
    )
    with pytest.raises(FileNotFoundError, match=re.escape(msg)):
        load_emodb(tmp_path)


def test_load_emodb_skips_unrecognised_names_with_warning(emodb_root):
    touch(emodb_root / "wav" / "03a01Fa_copy.wav")
    folder = str(emodb_root / "wav")
    msg = (
        f"Ignored 1 file(s) in {folder!r} whose names do not follow the EmoDB "
        "pattern <speaker><text><emotion><version>.wav; the first is "
        "'03a01Fa_copy.wav'."
    )
    with pytest.warns(UserWarning, match=re.escape(msg)):
        data = load_emodb(emodb_root)
    assert len(data.paths) == len(EMODB_FILES)


# %%
# The Bunch contract shared by all loaders


@pytest.fixture
def loaded(request, crema_root, ravdess_root, emodb_root):
    loader, root = {
        "crema_d": (load_crema_d, crema_root),
        "ravdess": (load_ravdess, ravdess_root),
        "emodb": (load_emodb, emodb_root),
    }[request.param]
    return loader(root)


@pytest.mark.parametrize("loaded", ["crema_d", "ravdess", "emodb"], indirect=True)
def test_bunch_contract(loaded):
    n_files = len(loaded.frame)
    assert set(loaded) == BUNCH_KEYS
    for key in ["paths", "target", "groups"]:
        assert isinstance(loaded[key], np.ndarray)
        assert loaded[key].shape == (n_files,)
        assert loaded[key].dtype.kind == "U"
    assert all(os.path.isabs(p) for p in loaded.paths)
    assert loaded.paths.tolist() == sorted(loaded.paths)
    assert loaded.paths.tolist() == loaded.frame["path"].tolist()
    assert loaded.target.tolist() == loaded.frame["emotion"].tolist()
    assert loaded.groups.tolist() == loaded.frame["actor"].tolist()
    assert loaded.target_names.tolist() == sorted(set(loaded.target))
    assert set(loaded.target) <= {
        "ANG",
        "BOR",
        "CAL",
        "DIS",
        "FEA",
        "HAP",
        "NEU",
        "SAD",
        "SUR",
    }
    assert {"path", "actor", "emotion", "emotion_code"} <= set(loaded.frame)
    assert isinstance(loaded.DESCR, str) and "References" in loaded.DESCR


# %%
# The packaged CREMA-D manifest


def test_packaged_manifest_lists_the_release():
    rows = _fetch._read_manifest()
    assert len(rows) == 3 * 7442
    folders = pd.Series([path.split("/")[0] for path, _, _ in rows]).value_counts()
    assert folders.to_dict() == {"AudioMP3": 7442, "AudioWAV": 7442, "VideoFlash": 7442}
    for path, sha256, size in rows:
        parse_crema_d_filename(path)
        assert re.fullmatch(r"[0-9a-f]{64}", sha256)
        assert size > 0
    actors = {parse_crema_d_filename(path)["actor"] for path, _, _ in rows}
    assert actors == set(_crema_d.ACTORS)


# %%
# Real recordings


@pytest.mark.dataset
def test_load_crema_d_real(shared_data):
    data = load_crema_d(shared_data / "crema-d")
    assert len(data.paths) == 186
    assert len(np.unique(data.groups)) == 60
    assert data.target_names.tolist() == ["ANG", "DIS", "FEA", "HAP", "NEU", "SAD"]
    frame = data.frame
    assert frame[["age", "sex", "race", "ethnicity"]].notna().all().all()
    assert frame[["voice_vote", "face_vote", "multimodal_vote"]].notna().all().all()

    ieo = frame[frame["sentence"] == "IEO"]
    assert len(ieo) == 180
    assert set(ieo["intensity"]) == {"HI"}
    assert sorted(set(ieo["emotion"])) == ["ANG", "HAP", "SAD"]
    # Human majority vote correct on the 180 IEO clips (shared data README).
    assert round(100 * ieo["voice_correct"].mean(), 1) == 50.0
    assert round(100 * ieo["face_correct"].mean(), 1) == 79.4
    assert round(100 * ieo["multimodal_correct"].mean(), 1) == 76.7

    dfa = frame[frame["sentence"] == "DFA"]
    assert set(dfa["actor"]) == {"1001"} and len(dfa) == 6

    mp3 = load_crema_d(shared_data / "crema-d", media="mp3")
    assert len(mp3.paths) == 6 and set(mp3.groups) == {"1002"}


@pytest.mark.dataset
def test_real_crema_d_clips_match_packaged_manifest(shared_data):
    manifest = {path: (sha, size) for path, sha, size in _fetch._read_manifest()}
    root = shared_data / "crema-d"
    paths = [*load_crema_d(root).paths, *load_crema_d(root, media="mp3").paths]
    for path in paths:
        relpath = Path(path).relative_to(root).as_posix()
        content = Path(path).read_bytes()
        assert manifest[relpath] == (hashlib.sha256(content).hexdigest(), len(content))


@pytest.mark.dataset
def test_load_emodb_real(shared_data):
    data = load_emodb(shared_data / "emodb")
    assert len(data.paths) == 408
    assert len(np.unique(data.groups)) == 8
    assert len(data.target_names) == 7
    assert data.target_names.tolist() == [
        "ANG",
        "BOR",
        "DIS",
        "FEA",
        "HAP",
        "NEU",
        "SAD",
    ]
    assert data.frame["sex"].notna().all()
    same = load_emodb(shared_data / "emodb" / "wav")
    assert same.paths.tolist() == data.paths.tolist()


@pytest.mark.dataset
def test_load_ravdess_real(shared_data):
    data = load_ravdess(shared_data / "ravdess")
    assert [Path(p).name for p in data.paths] == ["01-01-07-02-02-01-01_1.mp4"]
    row = data.frame.iloc[0]
    assert row["modality"] == "audio-video" and row["vocal_channel"] == "speech"
    assert row["emotion"] == "DIS" and row["intensity"] == "strong"
    assert row["actor"] == "01" and row["sex"] == "male"


# %%
# fetch_crema_d against a local HTTP server


def requests_for(server, relpath):
    return [rng for path, rng in server.requests if path == relpath]


VIDEOS = [f"VideoFlash/1001_DFA_{emotion}_XX.flv" for emotion in _crema_d.EMOTIONS]
MP3S = [f"AudioMP3/1002_DFA_{emotion}_XX.mp3" for emotion in _crema_d.EMOTIONS]


@pytest.fixture
def crema_server(repository_server, shared_data):
    """Serve copies of a few real CREMA-D clips and the two CSV files."""
    source = shared_data / "crema-d"
    target = Path(repository_server.root)
    for relpath in [*VIDEOS, *MP3S, "VideoDemographics.csv"]:
        (target / relpath).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / relpath, target / relpath)
    (target / "processedResults").mkdir()
    shutil.copyfile(
        source / "summaryTable.csv", target / "processedResults" / "summaryTable.csv"
    )
    return repository_server


def fetch(server, data_home, **kwargs):
    kwargs = {"actors": 1001, "sentences": "DFA", **kwargs}
    return fetch_crema_d(
        data_home, base_url=server.url, metadata_url=server.url, **kwargs
    )


def assert_no_part_files(folder):
    assert not list(Path(folder).rglob("*.part"))


@pytest.mark.dataset
def test_fetch_crema_d_downloads_and_verifies(crema_server, tmp_path):
    data_home = tmp_path / "home"
    data = fetch(crema_server, data_home)
    root = data_home / "crema_d"
    assert data.paths.tolist() == [str(root / relpath) for relpath in VIDEOS]
    assert data.target.tolist() == list(_crema_d.EMOTIONS)
    manifest = {path: sha for path, sha, _ in _fetch._read_manifest()}
    for relpath in VIDEOS:
        content = (root / relpath).read_bytes()
        assert hashlib.sha256(content).hexdigest() == manifest[relpath]
    # The metadata came too, so the frame has demographics and votes.
    assert (root / "processedResults" / "summaryTable.csv").is_file()
    assert data.frame["age"].eq(51).all()
    assert data.frame["voice_vote"].notna().all()
    assert sorted(path for path, _ in crema_server.requests) == sorted(
        [*VIDEOS, "VideoDemographics.csv", "processedResults/summaryTable.csv"]
    )
    assert_no_part_files(data_home)

    mp3 = fetch(crema_server, data_home, media="mp3", actors=[1002])
    assert [os.path.relpath(p, root) for p in mp3.paths] == MP3S


@pytest.mark.dataset
def test_fetch_crema_d_second_call_downloads_nothing(crema_server, tmp_path):
    first = fetch(crema_server, tmp_path)
    n_requests = len(crema_server.requests)
    second = fetch(crema_server, tmp_path)
    assert len(crema_server.requests) == n_requests
    assert second.paths.tolist() == first.paths.tolist()
    pd.testing.assert_frame_equal(second.frame, first.frame)


@pytest.mark.dataset
def test_fetch_crema_d_resumes_partial_download(crema_server, tmp_path):
    relpath = VIDEOS[0]
    content = (Path(crema_server.root) / relpath).read_bytes()
    part = tmp_path / "crema_d" / (relpath + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(content[: len(content) // 2])

    data = fetch(crema_server, tmp_path, emotions="ANG", metadata=False)

    assert requests_for(crema_server, relpath) == [f"bytes={len(content) // 2}-"]
    assert Path(data.paths[0]).read_bytes() == content
    assert_no_part_files(tmp_path)


@pytest.mark.dataset
def test_fetch_crema_d_restarts_when_server_ignores_range(crema_server, tmp_path):
    crema_server.honour_range = False
    relpath = VIDEOS[0]
    content = (Path(crema_server.root) / relpath).read_bytes()
    part = tmp_path / "crema_d" / (relpath + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(content[:1000])

    data = fetch(crema_server, tmp_path, emotions="ANG", metadata=False)

    assert requests_for(crema_server, relpath) == ["bytes=1000-"]
    assert Path(data.paths[0]).read_bytes() == content


@pytest.mark.dataset
def test_fetch_crema_d_starts_over_when_partial_file_is_bad(crema_server, tmp_path):
    relpath = VIDEOS[0]
    content = (Path(crema_server.root) / relpath).read_bytes()
    part = tmp_path / "crema_d" / (relpath + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(b"\0" * 1000)

    data = fetch(crema_server, tmp_path, emotions="ANG", metadata=False)

    assert requests_for(crema_server, relpath) == ["bytes=1000-", None]
    assert Path(data.paths[0]).read_bytes() == content


@pytest.mark.dataset
def test_fetch_crema_d_rejects_corrupted_file(crema_server, tmp_path):
    relpath = VIDEOS[1]
    served = Path(crema_server.root) / relpath
    content = bytearray(served.read_bytes())
    content[100:108] = bytes(255 - b for b in content[100:108])
    served.write_bytes(bytes(content))
    expected_sha, size = next(
        (sha, size) for path, sha, size in _fetch._read_manifest() if path == relpath
    )
    got_sha = hashlib.sha256(content).hexdigest()
    msg = (
        f"Downloaded CREMA-D file {relpath!r} from {crema_server.url + relpath!r} "
        f"is corrupted: expected sha256 {expected_sha} and {size} bytes, got "
        f"sha256 {got_sha} and {size} bytes. The bad download was removed; call "
        "fetch_crema_d again to retry."
    )
    with pytest.raises(OSError, match=re.escape(msg)):
        fetch(crema_server, tmp_path)
    root = tmp_path / "crema_d"
    assert not (root / relpath).exists()
    assert_no_part_files(tmp_path)
    # The file before it was verified and kept; a later call resumes from there.
    assert (root / VIDEOS[0]).is_file()


@pytest.mark.dataset
def test_fetch_crema_d_missing_file_on_server(crema_server, tmp_path):
    relpath = VIDEOS[-1]
    (Path(crema_server.root) / relpath).unlink()
    msg = (
        f"Cannot download CREMA-D file {relpath!r} from "
        f"{crema_server.url + relpath!r}: HTTP error 404 (Not Found)."
    )
    with pytest.raises(OSError, match=re.escape(msg)):
        fetch(crema_server, tmp_path)
    # A 404 is not transient: no retry.
    assert requests_for(crema_server, relpath) == [None]
    assert not (tmp_path / "crema_d" / relpath).exists()


@pytest.mark.dataset
def test_fetch_crema_d_retries_transient_errors(crema_server, tmp_path):
    crema_server.fail[VIDEOS[0]] = [503, 500]
    crema_server.truncate.add(VIDEOS[1])
    size = (Path(crema_server.root) / VIDEOS[1]).stat().st_size

    data = fetch(crema_server, tmp_path, metadata=False)

    assert len(data.paths) == 6
    assert requests_for(crema_server, VIDEOS[0]) == [None, None, None]
    # The cut-off body is resumed where it stopped.
    assert requests_for(crema_server, VIDEOS[1]) == [None, f"bytes={size // 2}-"]
    assert_no_part_files(tmp_path)


@pytest.mark.dataset
def test_fetch_crema_d_gives_up_after_n_retries(crema_server, tmp_path):
    relpath = VIDEOS[0]
    crema_server.fail[relpath] = [503] * 5
    msg = (
        f"Cannot download CREMA-D file {relpath!r} from "
        f"{crema_server.url + relpath!r} after 2 attempt(s): HTTP Error 503: "
        "Service Unavailable. Check the network and call fetch_crema_d again: "
        "it resumes where it stopped."
    )
    with pytest.raises(OSError, match=re.escape(msg)):
        fetch(crema_server, tmp_path, n_retries=1)
    assert len(requests_for(crema_server, relpath)) == 2


@pytest.fixture
def synthetic_server(repository_server, monkeypatch):
    """Serve two files of random bytes listed in a fake manifest.

    This runs without the real recordings.
    """
    rng = np.random.default_rng(0)
    relpaths = ["VideoFlash/1001_IEO_ANG_HI.flv", "VideoFlash/1001_IEO_SAD_LO.flv"]
    repository_server.contents = {
        relpath: rng.bytes(5000 + 100 * i) for i, relpath in enumerate(relpaths)
    }
    manifest = [
        (relpath, hashlib.sha256(content).hexdigest(), len(content))
        for relpath, content in repository_server.contents.items()
    ]
    monkeypatch.setattr(_fetch, "_read_manifest", lambda: manifest)
    for relpath, content in repository_server.contents.items():
        path = Path(repository_server.root) / relpath
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content)
    return repository_server


def test_fetch_crema_d_synthetic_files(synthetic_server, tmp_path, capsys):
    data = fetch(synthetic_server, tmp_path, sentences="IEO", metadata=False, verbose=2)
    assert data.target.tolist() == ["ANG", "SAD"]
    contents = list(synthetic_server.contents.values())
    assert [Path(p).read_bytes() for p in data.paths] == contents
    assert "voice_vote" not in data.frame
    err = capsys.readouterr().err
    assert "0 of 2 files already in" in err and "downloading 2" in err
    assert "[2/2] VideoFlash/1001_IEO_SAD_LO.flv" in err

    n_requests = len(synthetic_server.requests)
    fetch(synthetic_server, tmp_path, sentences="IEO", metadata=False)
    assert len(synthetic_server.requests) == n_requests


def test_fetch_crema_d_partial_file_longer_than_served_file(synthetic_server, tmp_path):
    # The served file was cut short: the Range request gets 416, the fresh
    # download fails the checksum, and the error says so.
    relpath, content = next(iter(synthetic_server.contents.items()))
    (Path(synthetic_server.root) / relpath).write_bytes(content[:500])
    part = tmp_path / "crema_d" / (relpath + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(content[:1000])
    got = hashlib.sha256(content[:500]).hexdigest()
    msg = (
        f"is corrupted: expected sha256 {hashlib.sha256(content).hexdigest()} and "
        f"{len(content)} bytes, got sha256 {got} and 500 bytes."
    )
    with pytest.raises(OSError, match=re.escape(msg)):
        fetch(synthetic_server, tmp_path, sentences="IEO", metadata=False)
    assert requests_for(synthetic_server, relpath) == ["bytes=1000-", None, None]
    assert_no_part_files(tmp_path)
    assert not (tmp_path / "crema_d" / relpath).exists()


@pytest.mark.parametrize(
    "kwargs, msg",
    [
        ({"media": "avi"}, "media must be one of 'mp3', 'video', 'wav'; got 'avi'."),
        (
            {"media": ("video", "flv")},
            "media must be one of 'mp3', 'video', 'wav'; got 'flv'.",
        ),
        (
            {"media": ()},
            "media must name at least one of 'mp3', 'video', 'wav'; got ().",
        ),
        (
            {"emotions": "JOY"},
            "emotions must contain only values among 'ANG', 'DIS', 'FEA', 'HAP', "
            "'NEU', 'SAD'; got 'JOY'.",
        ),
        ({"n_retries": -1}, "n_retries must be a non-negative integer; got -1."),
        (
            {
                "actors": 1001,
                "sentences": "IEO",
                "intensities": "XX",
                "emotions": "ANG",
            },
            "No CREMA-D file of media=('video',) matches emotions='ANG', actors=1001, "
            "sentences='IEO', intensities='XX'.",
        ),
    ],
)
def test_fetch_crema_d_invalid_arguments(tmp_path, kwargs, msg):
    # Arguments are checked before any network access or folder creation.
    with pytest.raises(ValueError, match=re.escape(msg)):
        fetch_crema_d(tmp_path / "home", base_url="http://127.0.0.1:9/", **kwargs)
    assert not (tmp_path / "home").exists()


@pytest.mark.parametrize(
    "layout, kind",
    [
        (["VideoFlash/1001_DFA_ANG_XX.flv"], "crema-d"),
        (["Actor_01/03-01-05-01-02-01-01.wav"], "ravdess"),
        (["wav/03a01Fa.wav", "wav/08a02Wb.wav"], "emodb"),
    ],
)
def test_detect_and_load_dataset(tmp_path, layout, kind):
    from skmer.datasets import detect_dataset, load_dataset

    for name in layout:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    assert detect_dataset(tmp_path) == kind
    for given in ("auto", kind):
        data = load_dataset(tmp_path, kind=given)
        assert data.kind == kind
        assert len(data.paths) == len(layout)


def test_detect_dataset_errors(tmp_path):
    from skmer.datasets import detect_dataset, load_dataset

    missing = tmp_path / "nowhere"
    with pytest.raises(
        FileNotFoundError,
        match=re.escape(f"Dataset folder not found: {str(missing)!r}."),
    ):
        detect_dataset(missing)
    (tmp_path / "notes.wav").write_bytes(b"")
    msg = (
        f"Cannot tell which dataset {str(tmp_path)!r} holds: no media file is "
        "named like CREMA-D"
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        detect_dataset(tmp_path)
    msg = (
        "kind must be 'auto', 'folder' or one of ['crema-d', 'emodb', 'ravdess']; "
        "got 'tess'."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        load_dataset(tmp_path, kind="tess")


# -- labelled folders --------------------------------------------------------


def _labelled_folder(tmp_path, text, names=("a.wav", "sub/b.wav")):
    for name in names:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
    labels = tmp_path / "labels.csv"
    labels.write_text(text)
    return labels


def test_labelled_folder_reads_paths_labels_and_speakers(tmp_path):
    labels = _labelled_folder(
        tmp_path, "File,Label,Speaker\na.wav, HAP ,s1\nsub/b.wav,SAD,s2\n"
    )
    data = load_dataset(tmp_path, labels=labels)
    assert data.kind == "folder"
    assert data.paths.tolist() == [str(tmp_path / "a.wav"), str(tmp_path / "sub/b.wav")]
    assert data.target.tolist() == ["HAP", "SAD"]
    assert data.groups.tolist() == ["s1", "s2"]
    assert data.target_names.tolist() == ["HAP", "SAD"]


def test_labelled_folder_without_speakers_has_no_groups(tmp_path):
    labels = _labelled_folder(tmp_path, "path,emotion\na.wav,HAP\nsub/b.wav,SAD\n")
    assert load_labeled_folder(tmp_path, labels).groups is None


def test_labelled_folder_errors_name_the_problem(tmp_path):
    labels = _labelled_folder(tmp_path, "path,mood\na.wav,HAP\n")
    with pytest.raises(ValueError, match=r"has no column named any of \['emotion'"):
        load_labeled_folder(tmp_path, labels)
    labels.write_text("path,emotion\na.wav,HAP\nc.wav,SAD\n")
    with pytest.raises(FileNotFoundError, match=r"1 of the 2 clips listed .*/c\.wav"):
        load_labeled_folder(tmp_path, labels)
    labels.write_text("path,emotion\na.wav,\n")
    with pytest.raises(ValueError, match="Empty label in .*, line 2"):
        load_labeled_folder(tmp_path, labels)
    with pytest.raises(FileNotFoundError, match="Labels file not found"):
        load_labeled_folder(tmp_path, tmp_path / "none.csv")
    with pytest.raises(ValueError, match="labels is for kind='folder'"):
        load_dataset(tmp_path, kind="emodb", labels=labels)
    with pytest.raises(ValueError, match="kind='folder' needs a labels CSV"):
        load_dataset(tmp_path, kind="folder")
