"""The registry of pretrained files: local folders first, verified downloads."""

import hashlib
import re

import pytest

from skmer.datasets import _models, fetch_model_file

TOY = b"pretrained weights " * 500


def _register(monkeypatch, server=None, content=TOY, **fields):
    entry = _models.ModelFile(
        filename="toy.onnx",
        description="a toy network",
        url=(server.url if server else "http://127.0.0.1:9/") + "models/toy.onnx",
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        licence="MIT",
        citation="Nobody, 2026.",
        **fields,
    )
    monkeypatch.setitem(_models.MODEL_FILES, "toy", entry)
    monkeypatch.delenv("SKMER_MODEL_DIR", raising=False)
    return entry


def _serve(server, content=TOY):
    folder = server.root + "/models"
    import os

    os.makedirs(folder, exist_ok=True)
    with open(folder + "/toy.onnx", "wb") as file:
        file.write(content)


def test_a_local_folder_comes_first(tmp_path, monkeypatch):
    _register(monkeypatch)
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "toy.onnx").write_bytes(TOY)
    home = tmp_path / "home"
    assert fetch_model_file("toy", model_dir=folder, data_home=home) == (
        folder / "toy.onnx"
    )
    monkeypatch.setenv("SKMER_MODEL_DIR", str(folder))
    assert fetch_model_file("toy", data_home=home) == folder / "toy.onnx"
    assert not home.exists()


def test_a_local_copy_with_other_bytes_is_refused(tmp_path, monkeypatch):
    _register(monkeypatch)
    (tmp_path / "toy.onnx").write_bytes(TOY[:-1] + b"!")
    with pytest.raises(ValueError, match=r"toy.onnx' is not the registered 'toy'"):
        fetch_model_file("toy", model_dir=tmp_path, data_home=tmp_path / "home")


def test_download_is_verified_and_kept(repository_server, tmp_path, monkeypatch):
    _register(monkeypatch, repository_server)
    _serve(repository_server)
    home = tmp_path / "home"
    path = fetch_model_file("toy", data_home=home)
    assert path == home / "models" / "toy.onnx" and path.read_bytes() == TOY
    fetch_model_file("toy", data_home=home)
    assert len(repository_server.requests) == 1


def test_a_download_with_a_wrong_hash_is_rejected(
    repository_server, tmp_path, monkeypatch
):
    _register(monkeypatch, repository_server)
    _serve(repository_server, content=TOY[:-1] + b"!")
    home = tmp_path / "home"
    with pytest.raises(FileNotFoundError, match="is corrupted: expected sha256"):
        fetch_model_file("toy", data_home=home)
    assert list((home / "models").iterdir()) == []


def test_an_interrupted_download_is_resumed(repository_server, tmp_path, monkeypatch):
    _register(monkeypatch, repository_server)
    _serve(repository_server)
    repository_server.truncate.add("models/toy.onnx")
    path = fetch_model_file("toy", data_home=tmp_path / "home")
    assert path.read_bytes() == TOY
    ranges = [rng for _, rng in repository_server.requests]
    assert ranges == [None, f"bytes={len(TOY) // 2}-"]


def test_a_missing_file_says_where_to_put_it(repository_server, tmp_path, monkeypatch):
    entry = _register(monkeypatch, repository_server)
    home = tmp_path / "home"
    message = (
        "The pretrained model file 'toy.onnx' (a toy network) is not available: "
        f"not in {str(home / 'models')!r}; the download failed (Cannot download "
        f"pretrained model file 'toy.onnx' from {entry.url!r}: HTTP error 404"
    )
    with pytest.raises(FileNotFoundError, match=re.escape(message)) as caught:
        fetch_model_file("toy", data_home=home)
    text = str(caught.value)
    assert f"Download it from {entry.url} (SHA-256 {entry.sha256}" in text
    assert "SKMER_MODEL_DIR" in text
    with pytest.raises(FileNotFoundError, match=r"not downloaded \(download=False\)"):
        fetch_model_file("toy", data_home=home, download=False)


def test_a_damaged_copy_in_the_data_home_is_fetched_again(
    repository_server, tmp_path, monkeypatch
):
    _register(monkeypatch, repository_server)
    _serve(repository_server)
    stored = tmp_path / "home" / "models" / "toy.onnx"
    stored.parent.mkdir(parents=True)
    stored.write_bytes(b"<html>not found</html>")
    assert fetch_model_file("toy", data_home=tmp_path / "home").read_bytes() == TOY


def test_a_copy_inside_an_installed_package_is_used(tmp_path, monkeypatch):
    package = tmp_path / "site" / "toypkg"
    (package / "data").mkdir(parents=True)
    (package / "__init__.py").write_text("raise RuntimeError('never imported')\n")
    (package / "data" / "toy.onnx").write_bytes(TOY)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    _register(monkeypatch, package=("toypkg", "data/toy.onnx"))
    path = fetch_model_file("toy", data_home=tmp_path / "home", download=False)
    assert path == package / "data" / "toy.onnx"


def test_unknown_names_are_listed(tmp_path):
    with pytest.raises(ValueError, match=r"registered ones are \['fer', "):
        fetch_model_file("nope", data_home=tmp_path)


@pytest.mark.dataset
@pytest.mark.parametrize("name", ["yunet", "mobilefacenet"])
def test_the_opencv_zoo_files_match_the_registry(shared_data, tmp_path, name):
    path = fetch_model_file(name, model_dir=shared_data / "models", download=False)
    assert path.parent == shared_data / "models"
    assert path.stat().st_size == _models.MODEL_FILES[name].size


def test_the_pretrained_models_page_lists_every_registered_file():
    from pathlib import Path

    page = Path(__file__).parents[1] / "docs" / "modules" / "pretrained.rst"
    text = page.read_text(encoding="utf-8")
    for name, entry in _models.MODEL_FILES.items():
        row = text.split(f"   * - ``{name}``", 1)[1].split("   * - ", 1)[0]
        assert entry.licence in row, name
        assert entry.citation.split(".")[0] in " ".join(row.split()), name
        assert f"{round(entry.size / 1024)} KiB" in row or (
            f"{entry.size / 2**20:.1f} MiB" in row
        ), name


def test_an_unknown_host_fails_at_once(tmp_path, monkeypatch):
    import socket
    import urllib.error

    from skmer.datasets import _download

    _register(monkeypatch)
    calls = []

    def offline(request, timeout):
        calls.append(request.full_url)
        raise urllib.error.URLError(socket.gaierror(-2, "Name or service not known"))

    monkeypatch.setattr(_download.urllib.request, "urlopen", offline)
    monkeypatch.setattr(_download, "_RETRY_DELAY", 60.0)  # a retry would hang
    with pytest.raises(FileNotFoundError, match="Name or service not known"):
        fetch_model_file("toy", data_home=tmp_path)
    assert len(calls) == 1


def test_cli_fetch_model_downloads_once_and_says_where(
    repository_server, tmp_path, monkeypatch, capsys
):
    from skmer.cli import main

    _register(monkeypatch, repository_server)
    _serve(repository_server)
    monkeypatch.setenv("SKMER_DATA", str(tmp_path / "home"))
    path = tmp_path / "home" / "models" / "toy.onnx"
    for _ in range(2):
        assert main(["fetch-model", "toy"]) == 0
        assert capsys.readouterr().out == (
            f"toy: {path} (10 kB, MIT licence, SHA-256 verified)\n"
        )
    assert path.read_bytes() == TOY and len(repository_server.requests) == 1


def test_cli_fetch_model_without_names_fetches_every_file(
    repository_server, tmp_path, monkeypatch, capsys
):
    from skmer.cli import main

    _register(monkeypatch, repository_server)
    for name in [name for name in _models.MODEL_FILES if name != "toy"]:
        monkeypatch.delitem(_models.MODEL_FILES, name)
    _serve(repository_server)
    monkeypatch.setenv("SKMER_DATA", str(tmp_path / "home"))
    assert main(["fetch-model"]) == 0
    path = tmp_path / "home" / "models" / "toy.onnx"
    assert capsys.readouterr().out == (
        f"toy: {path} (10 kB, MIT licence, SHA-256 verified)\n"
    )


def test_cli_fetch_model_refuses_an_unknown_name(capsys):
    from skmer.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["fetch-model", "yunet", "nope"])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert "argument NAME: invalid choice: 'nope' (choose from " in error
    assert "yunet" in error.rsplit("choose from", 1)[1]


def test_cli_fetch_model_failure_names_the_url(
    repository_server, tmp_path, monkeypatch, capsys
):
    from skmer.cli import main

    entry = _register(monkeypatch, repository_server)  # served nowhere: 404
    monkeypatch.setenv("SKMER_DATA", str(tmp_path / "home"))
    assert main(["fetch-model", "toy"]) == 1
    error = capsys.readouterr().err
    assert error.startswith(
        "skmer fetch-model: FileNotFoundError: The pretrained model file "
        "'toy.onnx' (a toy network) is not available"
    )
    assert f"Download it from {entry.url}" in error
