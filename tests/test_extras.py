"""The optional parts (the Dask engine, the Redis frontier) name the extra that installs them when it is
not installed. The package is hidden for the test as an absent one is: its import fails."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.cli.common import missing_extra

from .test_cli import ARTICLE


def hide(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    """Make `import module` fail as it does when the package is not installed (a None entry in
    sys.modules raises ModuleNotFoundError), and forget the newsclean module that imported it."""
    for name in modules:
        # Its submodules too: one imported earlier in the run would still import from the cache.
        for cached in [module for module in sys.modules if module == name or module.startswith(f"{name}.")]:
            monkeypatch.setitem(sys.modules, cached, None)
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.delitem(sys.modules, "pipeline.crawl.shared", raising=False)


def test_the_dask_engine_without_dask_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    hide(monkeypatch, "distributed")
    page = tmp_path / "a.html"
    page.write_text(ARTICLE.format(n=1), encoding="utf-8")
    status = main(["clean", str(page), "-o", str(tmp_path / "o.jsonl"), "--engine", "dask", "-q"])
    assert status == 2
    assert "pip install 'newsclean[dask]'" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("module", ["redis", "scrapy_redis"])
def test_a_redis_frontier_without_redis_names_the_extra(
    module: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    hide(monkeypatch, module)
    output = str(tmp_path / "news.jsonl")
    status = main(
        ["crawl", "news", "http://127.0.0.1:9/", "--frontier", "redis://127.0.0.1:9/0", "-O", output, "-q"]
    )
    assert status == 2
    assert "pip install 'newsclean[redis]'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("module", "package", "extra"),
    [
        ("distributed", "distributed", "dask"),
        ("dask.dataframe", "dask", "dask"),
        ("scrapy_redis.scheduler", "scrapy_redis", "redis"),
    ],
)
def test_a_missing_module_is_named_with_its_extra(module: str, package: str, extra: str) -> None:
    usage = missing_extra(ModuleNotFoundError(f"No module named {module!r}", name=module))
    assert str(usage).endswith(f"needs {package}, which is not installed: pip install 'newsclean[{extra}]'")


def test_a_missing_module_of_no_extra_is_left_alone() -> None:
    assert missing_extra(ModuleNotFoundError("No module named 'pyarrow'", name="pyarrow")) is None
