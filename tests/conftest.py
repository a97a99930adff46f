"""Shared fixtures: seeded randomness, decode counting, and the real-data root."""

import collections
import contextlib
import errno
import http.server
import os
import re
import threading
import urllib.parse
from pathlib import Path

import numpy as np
import pytest

# Real recordings live outside the repository (never copied in). Point
# SKMER_TEST_DATA at them, or keep the team's shared/data folder beside the repo.
_DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
SHARED_DATA = Path(os.environ.get("SKMER_TEST_DATA", _DEFAULT_SHARED))


def pytest_collection_modifyitems(config, items):
    if SHARED_DATA.is_dir():
        return
    skip = pytest.mark.skip(reason=f"real recordings not found at {SHARED_DATA}")
    for item in items:
        if "dataset" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def shared_data():
    """Root of the real recordings; tests using it carry the dataset marker."""
    return SHARED_DATA


@pytest.fixture
def model_dir(shared_data, monkeypatch):
    """The real OpenCV Zoo model files' folder, as SKMER_MODEL_DIR for the test.

    Skips when a registered OpenCV Zoo file is missing from it.
    """
    from skmer.datasets._models import MODEL_FILES

    folder = shared_data / "models"
    for name in ("yunet", "mobilefacenet"):
        if not (folder / MODEL_FILES[name].filename).is_file():
            pytest.skip(f"{MODEL_FILES[name].filename} not found in {folder}")
    monkeypatch.setenv("SKMER_MODEL_DIR", str(folder))
    return folder


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture
def seeds_fixed():
    """Seed NumPy, Python and Keras, and restore Keras' global settings.

    The modules that train Keras models use it for every test, with
    ``pytestmark = pytest.mark.usefixtures("seeds_fixed")`` (skorch's
    ``seeds_fixed``, scikeras's floatx fixture).
    """
    import keras

    floatx = keras.backend.floatx()
    keras.utils.set_random_seed(0)
    yield
    keras.backend.set_floatx(floatx)


@pytest.fixture
def opened(monkeypatch):
    """Counter of the files skmer.io opens, by path."""
    import skmer.io

    counts = collections.Counter()
    original = skmer.io._open_container

    @contextlib.contextmanager
    def counting(path):
        counts[os.fspath(path)] += 1
        with original(path) as container:
            yield container

    monkeypatch.setattr(skmer.io, "_open_container", counting)
    return counts


class _FullDiskFile:
    """A file whose writes stop half-way with ENOSPC, as on a full disk."""

    def __init__(self, real):
        self._real = real

    def write(self, data):
        self._real.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._real.close()

    def __getattr__(self, name):
        return getattr(self._real, name)


@pytest.fixture
def full_disk(monkeypatch):
    """Make every file skmer writes fail with ENOSPC half-way.

    All of skmer's outputs go through ``skmer.utils._files.atomic_write``,
    so its ``open`` is the one place to fail.
    """
    import skmer.utils._files

    def failing_open(*args, **kwargs):
        return _FullDiskFile(open(*args, **kwargs))

    monkeypatch.setattr(skmer.utils._files, "open", failing_open, raising=False)


def _chromium():
    """Paths of Chromium and its driver, or the reason they are unusable."""
    import shutil

    try:
        import selenium  # noqa: F401
    except ImportError:
        return None, "selenium is not installed"
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        return None, "Chromium and chromedriver are not installed"
    return (browser, driver), None


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """Headless Chromium driven by selenium, for pages written to disk.

    Skips when Chromium, its driver or selenium is missing, except under CI
    (``CI`` set), where .ci/run installs them and a skip would hide a failure.
    """
    paths, reason = _chromium()
    if paths is None:
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; .ci/run should have installed it.")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = paths[0]
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(paths[1]), options=options)
    driver.set_page_load_timeout(60)
    yield _Browser(driver)
    driver.quit()


class _Browser:
    """A selenium driver with the checks the page tests make."""

    def __init__(self, driver):
        self.driver = driver

    def open(self, path):
        """Load a local file; return the page's title.

        Waits until the page and every image have finished loading (or
        failed), so that ``images`` then tells which ones loaded.
        """
        from selenium.webdriver.support.ui import WebDriverWait

        path = Path(path).resolve()
        assert path.is_file(), f"{path} does not exist"
        self.driver.get(path.as_uri())
        WebDriverWait(self.driver, 30).until(
            lambda driver: driver.execute_script(
                "return document.readyState === 'complete' && "
                "Array.from(document.images).every(img => img.complete);"
            )
        )
        return self.driver.title

    def images(self):
        """(src, loaded) for every image of the current page."""
        return [
            (src, bool(loaded))
            for src, loaded in self.driver.execute_script(
                "return Array.from(document.images).map(img => "
                "[img.getAttribute('src'), img.complete && img.naturalWidth > 0]);"
            )
        ]

    def text(self):
        """The visible text of the current page."""
        return self.driver.execute_script("return document.body.innerText;")


class _RepositoryHandler(http.server.BaseHTTPRequestHandler):
    """Serve a folder laid out like the CREMA-D repository, with Range support.

    The server object carries the test's knobs: ``fail`` maps a path to HTTP
    statuses to answer first, ``truncate`` holds paths whose next body stops
    halfway, and ``honour_range`` switches Range support off.
    """

    def do_GET(self):
        server = self.server
        relpath = urllib.parse.unquote(self.path.lstrip("/"))
        server.requests.append((relpath, self.headers.get("Range")))
        if server.fail.get(relpath):
            self.send_error(server.fail[relpath].pop(0))
            return
        path = os.path.join(server.root, *relpath.split("/"))
        if not os.path.isfile(path):
            self.send_error(404)
            return
        with open(path, "rb") as file:
            data = file.read()
        match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
        start = 0
        if match and server.honour_range:
            start = int(match.group(1))
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header(
                "Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}"
            )
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if relpath in server.truncate:
            server.truncate.discard(relpath)
            body = body[: len(body) // 2]
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def repository_server(tmp_path, monkeypatch):
    """Start a server on 127.0.0.1 over an empty repository folder."""
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    from skmer.datasets import _download

    monkeypatch.setattr(_download, "_RETRY_DELAY", 0.0)
    root = tmp_path / "repository"
    root.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RepositoryHandler)
    server.daemon_threads = True
    server.root = str(root)
    server.requests = []
    server.fail = {}
    server.truncate = set()
    server.honour_range = True
    server.url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()
