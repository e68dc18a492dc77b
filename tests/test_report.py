"""The report page: removals placed by `at`, text escaped, no external assets, and (in headless
Chromium) struck-through spans and a filter that hides the other rules' spans."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import main
from pipeline.rules import FAMILIES
from pipeline.tools import report

HOSTILE = "</del><script>alert(\"x\")</script> & <b>bold</b> 'quoted'"


def _removal(rule: str, family: str, text: str, at: int | None) -> dict[str, Any]:
    return {"rule": rule, "family": family, "text": text, "at": at}


def _record(source: str, text: str, removed: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"source": source, "url": None, "title": None, "text": text, "removed": removed, **extra}


RECORDS = [
    _record(
        "pages/one.html",
        "First kept paragraph.\nSecond kept paragraph.",
        [
            _removal("prune-share-bar", "chrome", "Share on X", None),
            _removal("date-line", "timestamp", "12 March 2024", 0),
            _removal("see-also-link", "related-link", "See also: Another story", 1),
            _removal("copyright-line", "trailer", "© 2024 Example News", 2),
        ],
        title="A headline",
        url="https://example.org/one",
    ),
    _record("pages/two.html", "Nothing was cut here.", []),
    _record(
        "pages/three.html",
        "Kept <i>not markup</i> & more.",
        [
            _removal("see-also-link", "related-link", HOSTILE, 0),
            _removal("nav-social-line", "chrome", "Close", 1),
        ],
    ),
]


class _Reading(HTMLParser):
    """The order of kept paragraphs and removed texts in each document of a report page."""

    def __init__(self) -> None:
        super().__init__()
        self.documents: list[list[tuple[str, str]]] = []
        self.capture: str | None = None
        self.buffer = ""
        self.in_pre = False
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append(tag)
        if tag == "article":
            self.documents.append([])
        elif tag == "details" and values.get("class") == "pre-extraction":
            self.in_pre = True
        elif self.documents and (tag == "del" or (tag == "p" and "class" not in values)):
            where = "pre " if self.in_pre else ""
            self.capture = f"{where}{values.get('data-rule')}" if tag == "del" else "kept"
            self.buffer = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "details" and self.in_pre:
            self.in_pre = False
        if self.capture and tag in ("del", "p"):
            self.documents[-1].append((self.capture, self.buffer))
            self.capture = None

    def handle_data(self, data: str) -> None:
        if self.capture:
            self.buffer += data


def _read(page: str) -> list[list[tuple[str, str]]]:
    reading = _Reading()
    reading.feed(page)
    return reading.documents


def test_removals_stand_where_they_stood() -> None:
    first = _read(report.render(RECORDS, "out.jsonl"))[0]
    assert first == [
        ("pre prune-share-bar", "Share on X"),
        ("date-line", "12 March 2024"),
        ("kept", "First kept paragraph."),
        ("see-also-link", "See also: Another story"),
        ("kept", "Second kept paragraph."),
        ("copyright-line", "© 2024 Example News"),
    ]


def test_a_limit_shows_the_first_documents_and_counts_them_all() -> None:
    page = report.render(RECORDS, "out.jsonl", limit=1)
    assert len(_read(page)) == 1
    assert f"{len(RECORDS)} documents," in page
    assert "the first 1 documents shown (--limit)" in page
    full = report.render(RECORDS, "out.jsonl")
    assert (
        re.search(r'<table id="rule-counts">.*?</table>', page, re.S)[0]
        == re.search(  # type: ignore[index]
            r'<table id="rule-counts">.*?</table>', full, re.S
        )[0]
    )


def test_the_legend_names_every_family_with_its_meaning() -> None:
    legend = re.search(r'<details class="legend">.*?</details>', report.render(RECORDS, "x"), re.S)
    assert legend is not None
    for family in FAMILIES:
        assert f'<span class="fam">{family}</span>: {html.escape(family.description)}' in legend[0]


def test_blocks_cut_before_extraction_fold_under_their_heading() -> None:
    page = report.render(RECORDS, "x")
    assert (
        '<details class="pre-extraction" open><summary><h3>Removed from the page before extraction (1)'
        in page
    )


def test_all_text_is_escaped() -> None:
    page = report.render(RECORDS, "<out>.jsonl")
    assert "<script>alert" not in page
    assert "<i>not markup</i>" not in page
    assert "&lt;out&gt;.jsonl" in page
    third = _read(page)[2]
    assert third == [
        ("see-also-link", HOSTILE),
        ("kept", "Kept <i>not markup</i> & more."),
        ("nav-social-line", "Close"),
    ]


def test_hostile_rule_names_stay_inside_their_attributes() -> None:
    record = _record("x.html", "Text.", [_removal('x" onclick="alert(1)', "chrome", "cut", 0)])
    page = report.render([record], "x")
    assert 'onclick="alert' not in page
    assert _read(page)[0][0] == ('x" onclick="alert(1)', "cut")


def test_out_of_range_or_odd_positions_go_to_the_end() -> None:
    odd = [_removal("a", "chrome", "late", 9), {"rule": "b", "family": "chrome", "text": "odd", "at": "x"}]
    record = _record("x.html", "One.\nTwo.", odd)
    assert [kind for kind, _ in _read(report.render([record], "x"))[0]] == ["kept", "kept", "a", "b"]


def test_no_external_assets() -> None:
    page = report.render(RECORDS, "out.jsonl")
    assert re.search(r"<(?:link|img|iframe|object|embed)\b|\bsrc=|@import|url\(", page) is None
    assert page.count("<script>") == 1
    assert page.count("<style>") == 1


def test_rule_table_counts_removals_and_documents() -> None:
    assert report.rule_counts(RECORDS) == [
        ("see-also-link", "related-link", 2, 2),
        ("copyright-line", "trailer", 1, 1),
        ("date-line", "timestamp", 1, 1),
        ("nav-social-line", "chrome", 1, 1),
        ("prune-share-bar", "chrome", 1, 1),
    ]
    page = report.render(RECORDS, "out.jsonl")
    assert '<option value="see-also-link">see-also-link (2)</option>' in page
    assert 'href="#rule=see-also-link"' in page


def test_every_family_has_its_own_colour() -> None:
    assert set(report.FAMILY_COLOURS) == set(FAMILIES)
    assert len(set(report.FAMILY_COLOURS.values())) == len(FAMILIES)


def _jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_report_command_writes_beside_the_input_by_default(tmp_path: Path) -> None:
    records = _jsonl(tmp_path / "clean.jsonl", RECORDS)
    assert main(["report", str(records)]) == 0
    page = (tmp_path / "clean.report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "3 documents, 6 removals (1 from the page before extraction)" in page


def test_report_command_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:

    def code(*argv: str) -> int:
        return main(["report", *argv])

    assert code(str(tmp_path / "absent.jsonl"), "-o", str(tmp_path / "r.html")) == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{}\nnot json\n", encoding="utf-8")
    assert code(str(bad), "-o", str(tmp_path / "r.html")) == 1
    good = _jsonl(tmp_path / "good.jsonl", RECORDS)
    (tmp_path / "blocked").write_text("a file, not a folder", encoding="utf-8")
    assert code(str(good), "-o", str(tmp_path / "blocked" / "r.html")) == 1
    capsys.readouterr()
    assert code(str(good), "-o", "-") == 0
    assert capsys.readouterr().out.endswith("</html>")


# Appended to a copy of the page: reads the state the page's own script left after load (the
# filter from the URL fragment), then picks a rule in the select as a person would, and writes
# what the browser computed into the DOM for --dump-dom.
PROBE = """<script>
(() => {
  const select = document.getElementById("rule-filter");
  const spans = () => Array.from(document.querySelectorAll("del.rm")).map((el) => ({
    rule: el.dataset.rule,
    visible: el.getClientRects().length > 0,
    line: getComputedStyle(el).textDecorationLine,
    colour: getComputedStyle(el).color,
  }));
  const shown = (selector) => Array.from(document.querySelectorAll(selector))
    .filter((el) => el.getClientRects().length > 0).length;
  const kept = () => shown(".text > p");
  const documents = () => shown("article.doc");
  const result = { fromHash: { value: select.value, spans: spans(), documents: documents() } };
  const choose = (value) => { select.value = value; select.dispatchEvent(new Event("change")); };
  choose("date-line");
  result.chosen = { spans: spans(), documents: documents(), kept: kept(), hash: location.hash };
  choose("");
  result.reset = { spans: spans(), documents: documents(), kept: kept() };
  const out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
})();
</script>"""


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    reason = "headless Chromium is not installed (Debian: apt-get install chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true requires this test to run")
    pytest.skip(reason)


def _dump_dom(browser: str, url: str, profile: Path) -> str:
    command = [
        browser,
        "--headless",
        "--no-sandbox",  # needed as root, harmless otherwise
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--dump-dom",
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.slow
def test_page_in_headless_chromium(tmp_path: Path) -> None:
    browser = _chromium()
    page = report.render(RECORDS, "out.jsonl").replace("</body>", PROBE + "</body>")
    path = tmp_path / "report.html"
    path.write_text(page, encoding="utf-8")
    dom = _dump_dom(browser, path.as_uri() + "#rule=see-also-link", tmp_path / "profile")
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.DOTALL)
    assert found, dom[-2000:]
    result = json.loads(html.unescape(found.group(1)))

    everything = result["reset"]["spans"]
    rules = sorted(removal["rule"] for record in RECORDS for removal in record["removed"])
    assert sorted(s["rule"] for s in everything) == rules
    assert all(s["visible"] and "line-through" in s["line"] for s in everything)
    colours = {s["rule"]: s["colour"] for s in everything}
    assert colours["date-line"] != colours["see-also-link"] != colours["nav-social-line"]
    assert colours["nav-social-line"] == colours["prune-share-bar"]  # one colour per family
    assert result["reset"]["documents"] == 3
    assert result["reset"]["kept"] == 4

    from_hash = result["fromHash"]
    assert from_hash["value"] == "see-also-link"
    assert {s["rule"] for s in from_hash["spans"] if s["visible"]} == {"see-also-link"}
    assert from_hash["documents"] == 2

    chosen = result["chosen"]
    assert [s["rule"] for s in chosen["spans"] if s["visible"]] == ["date-line"]
    assert chosen["documents"] == 1
    assert chosen["kept"] == 2  # the chosen document's kept text stays in view
    assert chosen["hash"] == "#rule=date-line"
