"""One self-contained HTML page that shows each record's kept text with every removal struck through
where it stood, coloured by family, with a per-rule count table and a filter by rule."""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pipeline.readers.own import REPORT_MARK
from pipeline.rules.families import FAMILIES

# One colour per family (pipeline.rules.families); a family not listed there is drawn in OTHER_COLOUR.
FAMILY_COLOURS = {str(family): family.colour for family in FAMILIES}
OTHER_COLOUR = "#6e7781"

_STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; color: #1f2328; }
body { margin: 0 auto; max-width: 60rem; padding: 1rem 1.5rem; }
[hidden] { display: none !important; }
header { position: sticky; top: 0; z-index: 1; background: #fff; }
header { border-bottom: 1px solid #d0d7de; padding: .5rem 0; }
h1 { font-size: 1.4rem; margin: 0 0 .3rem; }
h2 { font-size: 1.15rem; margin: 0 0 .2rem; }
h3 { font-size: .95rem; margin: .6rem 0 .2rem; color: #57606a; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border-bottom: 1px solid #d0d7de; padding: .2rem .7rem; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
article.doc { border-top: 2px solid #d0d7de; padding: 1rem 0; }
.meta { color: #57606a; font-size: .85rem; margin: 0 0 .6rem; overflow-wrap: anywhere; }
.text p { margin: 0 0 .6rem; }
.cut { margin: 0 0 .6rem; padding-left: .5rem; border-left: 4px solid var(--family); }
ul.pre { list-style: none; padding: 0; }
details > summary { cursor: pointer; }
details > summary > h3 { display: inline; }
details.legend { font-size: .85rem; margin: .3rem 0; }
ul.families { margin: .3rem 0; padding-left: 1.2rem; }
del.rm { color: var(--family); text-decoration: line-through; white-space: pre-wrap; }
.why { font-size: .75rem; color: var(--family); margin-left: .5rem; white-space: nowrap; }
.fam { color: var(--family); font-weight: 600; }
"""

_SCRIPT = """
(() => {
  "use strict";
  const select = document.getElementById("rule-filter");
  const status = document.getElementById("shown");
  const docs = Array.from(document.querySelectorAll("article.doc"));
  const fromHash = () => {
    const found = /^#rule=(.*)$/.exec(location.hash);
    if (!found) return "";
    try { return decodeURIComponent(found[1]); } catch (error) { return ""; }
  };
  // "" shows every removal and document, "*" every removal but only documents with one, "-" no
  // removal; any other value is a rule name: only its removals, in the documents it cut from.
  const apply = (rule) => {
    select.value = rule;
    if (select.value !== rule) { select.value = ""; rule = ""; }
    let shown = 0;
    for (const doc of docs) {
      let mine = 0;
      for (const cut of doc.querySelectorAll(".cut")) {
        const show = rule === "" || rule === "*" || cut.dataset.rule === rule;
        cut.hidden = !show;
        if (show) mine += 1;
      }
      for (const list of doc.querySelectorAll(".pre-extraction")) {
        list.hidden = list.querySelector(".cut:not([hidden])") === null;
      }
      doc.hidden = rule !== "" && rule !== "-" && mine === 0;
      if (!doc.hidden) shown += 1;
    }
    status.textContent = `${shown} of ${docs.length} documents shown`;
  };
  select.addEventListener("change", () => {
    history.replaceState(null, "", select.value ? `#rule=${encodeURIComponent(select.value)}` : "#");
    apply(select.value);
  });
  window.addEventListener("hashchange", () => apply(fromHash()));
  apply(fromHash());
})();
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def family_class(family: str) -> str:
    return "fam-" + re.sub(r"[^a-z0-9-]+", "-", family.lower())


def _family_css(families: Sequence[str]) -> str:
    known = dict(FAMILY_COLOURS)
    rules = [f".{family_class(f)} {{ --family: {known.get(f, OTHER_COLOUR)}; }}" for f in families]
    return "\n".join(rules)


def removal_html(removal: dict[str, Any], tag: str) -> str:
    """A removed text, struck through, in a block (`tag`) that carries its rule for the filter."""
    rule, family = _e(removal.get("rule")), _e(removal.get("family"))
    colour = family_class(str(removal.get("family")))
    return (
        f'<{tag} class="cut {colour}" data-rule="{rule}" data-family="{family}">'
        f'<del class="rm" data-rule="{rule}" title="{rule} ({family})">{_e(removal.get("text", ""))}</del>'
        f'<span class="why">{rule}</span></{tag}>'
    )


def _removals(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in record.get("removed") or [] if isinstance(r, dict)]


def _place(removals: Sequence[dict[str, Any]], kept: int) -> tuple[list[Any], dict[int, list[Any]]]:
    """Split removals into pre-extraction ones (at null) and those standing before kept paragraph k."""
    before: list[dict[str, Any]] = []
    at: dict[int, list[Any]] = {}
    for removal in removals:
        where = removal.get("at")
        if where is None:
            before.append(removal)
        else:
            index = where if isinstance(where, int) and not isinstance(where, bool) else kept
            at.setdefault(min(max(index, 0), kept), []).append(removal)
    return before, at


def document_html(number: int, record: dict[str, Any]) -> str:
    """One record: heading, source line, pre-extraction removals, then kept text with removals in place."""
    text = str(record.get("text") or "")
    paragraphs = text.split("\n") if text else []
    removals = _removals(record)
    before, at = _place(removals, len(paragraphs))
    source = str(record.get("source") or "")
    heading = record.get("title") or source or f"record {number}"
    meta = [f"<code>{_e(source)}</code>"]
    if record.get("url"):
        meta.append(f'<a href="{_e(record["url"])}" rel="noreferrer">{_e(record["url"])}</a>')
    meta.append(f"{len(text.split())} words kept, {len(removals)} removed")
    parts = [
        f'<article class="doc" id="doc-{number}">',
        f"<h2>{number}. {_e(heading)}</h2>",
        f'<p class="meta">{" · ".join(meta)}</p>',
    ]
    if before:
        items = "".join(removal_html(r, "li") for r in before)
        parts.append(
            f'<details class="pre-extraction" open><summary><h3>Removed from the page before extraction '
            f"({len(before)})</h3></summary>"
            f'<ul class="pre">{items}</ul></details>'
        )
    body: list[str] = []
    for index in range(len(paragraphs) + 1):
        body.extend(removal_html(r, "div") for r in at.get(index, []))
        if index < len(paragraphs):
            body.append(f"<p>{_e(paragraphs[index])}</p>")
    parts.append(f'<div class="text">{"".join(body)}</div></article>')
    return "\n".join(parts)


def rule_counts(records: Sequence[dict[str, Any]]) -> list[tuple[str, str, int, int]]:
    """(rule, family, removals, documents) for every rule that removed something; most removals first."""
    removals: Counter[str] = Counter()
    documents: Counter[str] = Counter()
    families: dict[str, str] = {}
    for record in records:
        seen = set()
        for removal in _removals(record):
            rule = str(removal.get("rule"))
            removals[rule] += 1
            families.setdefault(rule, str(removal.get("family")))
            seen.add(rule)
        documents.update(seen)
    rows = [(rule, families[rule], count, documents[rule]) for rule, count in removals.items()]
    return sorted(rows, key=lambda row: (-row[2], row[0]))


def _rule_table(rows: Sequence[tuple[str, str, int, int]]) -> str:
    lines = [
        '<table id="rule-counts"><thead><tr><th>rule</th><th>family</th>'
        '<th class="n">removals</th><th class="n">documents</th></tr></thead><tbody>'
    ]
    for rule, family, count, documents in rows:
        lines.append(
            f'<tr class="{family_class(family)}" data-rule="{_e(rule)}">'
            f'<td><a href="#rule={_e(_fragment(rule))}">{_e(rule)}</a></td>'
            f'<td class="fam">{_e(family)}</td><td class="n">{count}</td><td class="n">{documents}</td></tr>'
        )
    total = sum(row[2] for row in rows)
    lines.append(f'</tbody><tfoot><tr><th colspan="2">total</th><th class="n">{total}</th><th></th></tr>')
    lines.append("</tfoot></table>")
    return "\n".join(lines)


def _fragment(rule: str) -> str:
    """The rule as the page's script decodes it from `#rule=` (percent-encoded UTF-8)."""
    return quote(rule, safe="")


def _filter(rows: Sequence[tuple[str, str, int, int]]) -> str:
    options = [
        '<option value="">every rule</option>',
        '<option value="*">every rule, only documents with removals</option>',
        '<option value="-">none (kept text only)</option>',
    ]
    options += [f'<option value="{_e(rule)}">{_e(rule)} ({count})</option>' for rule, _, count, _ in rows]
    return (
        '<label>Show removals of <select id="rule-filter">'
        + "".join(options)
        + '</select></label> <span id="shown"></span>'
    )


def _legend() -> str:
    """What the page shows: each family's colour and meaning, and how a removal is drawn."""
    items = "".join(
        f'<li class="{family_class(str(family))}"><span class="fam">{_e(str(family))}</span>: '
        f"{_e(family.description)}</li>"
        for family in FAMILIES
    )
    return (
        '<details class="legend"><summary>Legend</summary>'
        "<p>Each document shows its kept text as paragraphs; every removal stands where it stood, struck "
        "through in its family's colour, with the rule that removed it. Blocks cut from the page before "
        "extraction are listed first (fold them with their heading).</p>"
        f'<ul class="families">{items}</ul></details>'
    )


def render(records: Sequence[dict[str, Any]], title: str, limit: int | None = None) -> str:
    """The whole report page: no external assets, all text escaped. With `limit`, the counts cover every
    record and the first `limit` documents are shown."""
    rows = rule_counts(records)
    families = sorted(set(FAMILY_COLOURS) | {row[1] for row in rows})
    removed = sum(row[2] for row in rows)
    pre = sum(1 for record in records for r in _removals(record) if r.get("at") is None)
    summary = f"{len(records)} documents, {removed} removals ({pre} from the page before extraction)"
    shown = records if limit is None else records[:limit]
    if len(shown) < len(records):
        summary += f"; the first {len(shown)} documents shown (--limit)"
    documents = "\n".join(document_html(i, record) for i, record in enumerate(shown, 1))
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            REPORT_MARK.decode(),  # never read back as a page (pipeline.readers.own)
            f"<title>newsclean report: {_e(title)}</title>",
            f"<style>{_STYLE}\n{_family_css(families)}</style></head><body>",
            f"<header><h1>newsclean report: {_e(title)}</h1>",
            f'<p class="summary">{summary}</p>{_filter(rows)}{_legend()}</header>',
            "<section><h2>Removals by rule</h2>",
            _rule_table(rows),
            "</section><main>",
            documents,
            f"</main><script>{_SCRIPT}</script></body></html>",
        ]
    )


def default_output(path: Path) -> Path:
    """`output/clean.jsonl` -> `output/clean.report.html`."""
    stem = path.name[: -len(".jsonl")] if path.name.endswith(".jsonl") else path.stem
    return path.with_name(f"{stem}.report.html")
