"""The documentation site builds without a warning, and its pages render in a browser."""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ROOT
from .test_report import _chromium, _dump_dom

MKDOCS = shutil.which("mkdocs", path=str(Path(sys.executable).parent))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if MKDOCS is None:
        pytest.skip("mkdocs is not installed (pip install -e '.[test]' installs it)")
    folder = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [MKDOCS, "build", "--strict", "--site-dir", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert not re.search(r"^WARNING", done.stderr, re.M), done.stderr[-4000:]
    return folder


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_every_page_of_the_nav_is_built(site: Path) -> None:
    nav = re.findall(r"^  - [^:]+: (\S+)\.md$", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), re.M)
    pages = {path.stem for path in (ROOT / "docs").glob("*.md")}
    assert set(nav) == pages
    for name in nav:
        built = site / ("index.html" if name == "index" else f"{name}/index.html")
        assert built.is_file(), name


def test_the_reference_documents_the_front_door(site: Path) -> None:
    page = (site / "reference" / "index.html").read_text(encoding="utf-8")
    for name in ("pipeline.process.run_one", "pipeline.process.Config", "pipeline.document.Document"):
        assert f'id="{name}"' in page, name


@pytest.mark.slow
@pytest.mark.parametrize(
    ("path", "shown"),
    [("/", "Where to go next"), ("/reference/", "run_one"), ("/rules/", "navigation-menu")],
    ids=["home", "reference", "rules"],
)
def test_a_page_renders_in_headless_chromium(served: str, tmp_path: Path, path: str, shown: str) -> None:
    browser = _chromium()
    dom = _dump_dom(browser, served + path, tmp_path / "profile")
    assert "<nav" in dom
    assert shown in re.sub(r"<[^>]+>", "", dom)
    shot = tmp_path / "page.png"
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1280,900",
        f"--screenshot={shot}",
        served + path,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
