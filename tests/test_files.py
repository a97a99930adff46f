"""Atomic writes: a failed write leaves the earlier file as it was."""

import os

import pytest

from skmer.utils._files import atomic_write, write_bytes, write_text


def test_atomic_write_replaces_the_file(tmp_path):
    path = tmp_path / "out.txt"
    write_text(path, "first")
    write_text(path, "second é")
    assert path.read_text(encoding="utf-8") == "second é"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_full_disk_keeps_the_earlier_file_and_names_it(tmp_path, full_disk):
    path = tmp_path / "features.npz"
    path.write_bytes(b"earlier")
    with pytest.raises(OSError, match="Could not write .*features.npz.*No space"):
        write_bytes(path, b"x" * 1000)
    with pytest.raises(OSError, match="earlier file is unchanged"):
        write_text(path, "x")
    assert path.read_bytes() == b"earlier"
    assert os.listdir(tmp_path) == ["features.npz"]
    with pytest.raises(OSError, match="Could not write .*new.bin"):
        write_bytes(tmp_path / "new.bin", b"abc")
    assert os.listdir(tmp_path) == ["features.npz"]


def test_exception_in_the_block_leaves_no_file(tmp_path):
    path = tmp_path / "new.json"
    with pytest.raises(RuntimeError):
        with atomic_write(path, "w") as file:
            file.write("{")
            raise RuntimeError("interrupted")
    assert os.listdir(tmp_path) == []


def test_atomic_write_rejects_other_modes(tmp_path):
    with pytest.raises(ValueError, match="mode must be"):
        with atomic_write(tmp_path / "x", "ab"):
            pass


def test_a_missing_folder_is_named_not_the_temporary_file(tmp_path):
    path = tmp_path / "missing" / "out.npz"
    with pytest.raises(FileNotFoundError, match=r"out.npz': its folder does not"):
        write_bytes(path, b"x")
