"""Where newsclean's text loses recall against plain trafilatura: the gold text trafilatura's output holds and
newsclean's lacks, attributed to the step of newsclean that lost it.

Usage:
    .venv/bin/python bench/recall.py --jobs 2                      # a table per dev set
    .venv/bin/python bench/recall.py --records output/recall-records --examples 3

For each page, the lost text is the gold's token 4-gram shingles (the project's metric) that plain
trafilatura's text (`trafilatura.extract(html, include_comments=False)`, the anchor of bench/quality.py)
holds and newsclean's does not, counted with repeats. Each lost shingle goes to the first step that
accounts for it:

1. `text:<family>`: putting the lines the text rules of that family removed back at their places (the
   record's `removed`, as bench/fitting.py's `restored_text` does) gives it back: the removed text, or
   the shingles that ran across it;
2. `page:<family>`: a page rule of that family cut a block holding it before extraction;
3. `headline`: it is in the page's headline, which newsclean takes out of the text (it is the title);
4. a step of the extraction, when newsclean run again with that step turned off gives the shingle back:
   `readability-for-layout`, `layout-tables` (unwrapping), `entries`, `reveal-hidden-prose`, and
   `page-rules (choice)` (every page rule off: a cut that changed which block trafilatura took as the
   article, rather than the cut's own text);
5. `no record`: newsclean gave the page no record;
6. `main content`: none of these, a different main-content choice.

Each step's loss is given in shingles and in recall points (its share of each page's gold shingles,
averaged over the set's pages, x100: the points of the set's recall the step costs against trafilatura).
newsclean's records (the default configuration) are written to --records, one file a set, and read from
there when present; trafilatura's texts come from bench/quality.py's cache (bench/runs.py).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from devsets import DATA, SETS, DevSet, Page, load_set  # noqa: E402
from fitting import restored_text  # noqa: E402
from runs import NEWSCLEAN, cached, run  # noqa: E402

from pipeline import Config, Document, run_one, warm_up  # noqa: E402
from pipeline.extract import _headlines  # noqa: E402
from pipeline.extract.trafilatura import parse  # noqa: E402
from pipeline.rules import PAGE_RULES  # noqa: E402
from pipeline.tools.evaluate import Shingle, shingles  # noqa: E402

RECORDS = REPO / "output" / "recall-records"
TRAFILATURA = "trafilatura"


def _variants() -> dict[str, Config]:
    """The extraction steps, each turned off in a configuration of its own, in the order they are tried."""
    default = Config()
    off = {
        "readability-for-layout": "readability_for_layout",
        "layout-tables": "unwrap_layout_tables",
        "entries": "entries",
        "reveal-hidden-prose": "reveal_hidden_prose",
    }
    found = {
        step: replace(default, extract=replace(default.extract, **{name: False}))
        for step, name in off.items()
    }
    found["page-rules (choice)"] = Config(disabled_rules=frozenset(rule.name for rule in PAGE_RULES))
    return found


STEPS_AFTER = ("no record", "main content")


@dataclass
class Loss:
    """One set's lost shingles by step: counts, recall points, pages, and a few examples."""

    pages: int
    shingles: Counter[str] = field(default_factory=Counter)
    points: Counter[str] = field(default_factory=Counter)
    touched: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, step: str, lost: Counter[Shingle], gold_total: int, page: str) -> None:
        count = sum(lost.values())
        if not count:
            return
        self.shingles[step] += count
        self.points[step] += 100 * count / gold_total / self.pages
        self.touched[step] += 1
        sample = " ".join(next(iter(lost)))
        self.examples[step].append(f"{page}: {count} ({sample} ...)")


def read_records(path: Path) -> dict[str, dict[str, Any]]:
    records = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            records[record["source"]] = record
    return records


def records_of(devset: DevSet, folder: Path, jobs: int) -> dict[str, dict[str, Any]]:
    """newsclean's records of the set (default configuration), from `folder` or run and written there."""
    path = folder / f"{devset.name}.jsonl"
    if path.exists():
        return read_records(path)
    done = run(NEWSCLEAN, devset.pages, Config(), jobs, keep_records=True)
    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    with partial.open("w", encoding="utf-8") as handle:
        for record in done.records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    partial.replace(path)
    return read_records(path)


def _take(lost: Counter[Shingle], within: Iterable[str]) -> Counter[Shingle]:
    """The lost shingles that these texts hold (each text shingled on its own), taken out of `lost`."""
    have: Counter[Shingle] = Counter()
    for text in within:
        have.update(shingles(text))
    taken = lost & have
    lost.subtract(taken)
    lost += Counter()  # drop the zeros
    return taken


def _variant_text(arguments: tuple[Page, str, Config]) -> tuple[str, str, str]:
    page, step, config = arguments
    record = run_one(Document(page.name, "html", content=page.content()), config).record
    return page.name, step, record["text"] if record else ""


def attribute(devset: DevSet, records: dict[str, dict[str, Any]], plain: dict[str, str], jobs: int) -> Loss:
    loss = Loss(len(devset.gold))
    pending: dict[str, tuple[Counter[Shingle], int]] = {}
    pages = {page.name: page for page in devset.pages}
    for name, gold in devset.gold.items():
        gold_shingles = shingles(gold.text)
        total = sum(gold_shingles.values())
        if not total:
            continue
        record = records.get(name)
        ours = shingles(record["text"]) if record else Counter()
        lost = (gold_shingles & shingles(plain.get(name, ""))) - ours
        if not lost:
            continue
        if record is None:
            loss.add("no record", lost, total, name)
            continue
        for stage, placed in (("text", True), ("page", False)):
            families = dict.fromkeys(
                r["family"] for r in record["removed"] if (r["at"] is not None) == placed
            )
            for family in families:
                only = {
                    **record,
                    "removed": [r for r in record["removed"] if (r["at"] is not None) == placed],
                }
                restored = restored_text(only, frozenset({family}))
                loss.add(f"{stage}:{family}", _take(lost, [restored]), total, name)
        if lost and name in pages:
            tree = parse(pages[name].content().decode("utf-8", errors="replace"))
            headlines = _headlines(tree, record.get("title")) if tree is not None else frozenset()
            loss.add("headline", _take(lost, headlines), total, name)
        if lost:
            pending[name] = (lost, total)
    variants = _variants()
    tasks = [
        (pages[name], step, config) for name in pending if name in pages for step, config in variants.items()
    ]
    with multiprocessing.get_context("forkserver").Pool(jobs, initializer=warm_up) as pool:
        texts = {(name, step): text for name, step, text in pool.imap(_variant_text, tasks, chunksize=4)}
    for name, (lost, total) in pending.items():
        for step in variants:
            loss.add(step, _take(lost, [texts.get((name, step), "")]), total, name)
        loss.add("main content", lost, total, name)
    return loss


def table(devset: DevSet, loss: Loss, recall_gap: tuple[float, float]) -> list[str]:
    ours, plain = recall_gap
    lines = [
        f"### {devset.name} ({loss.pages} pages; recall newsclean {ours:.3f}, trafilatura {plain:.3f})",
        "",
        "| step | gold shingles lost | recall points | pages |",
        "| --- | --- | --- | --- |",
    ]
    for step, count in loss.shingles.most_common():
        lines.append(f"| {step} | {count} | {loss.points[step]:.2f} | {loss.touched[step]} |")
    lines.append(
        f"| all | {sum(loss.shingles.values())} | {sum(loss.points.values()):.2f} | "
        f"{len({e.split(':')[0] for v in loss.examples.values() for e in v})} |"
    )
    return lines


def _recall(texts: dict[str, str], devset: DevSet) -> float:
    values = []
    for name, gold in devset.gold.items():
        gold_shingles = shingles(gold.text)
        total = sum(gold_shingles.values())
        if total:
            values.append(sum((gold_shingles & shingles(texts.get(name, ""))).values()) / total)
    return sum(values) / len(values) if values else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the folder of the dev sets")
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated dev sets")
    parser.add_argument("--jobs", type=int, default=1, help="processes to spread the pages over")
    parser.add_argument(
        "--records", type=Path, default=RECORDS, help="where newsclean's records are read or written"
    )
    parser.add_argument("--examples", type=int, default=0, help="pages to show for each step")
    args = parser.parse_args()
    for name in args.sets.split(","):
        devset = load_set(name, args.data)
        records = records_of(devset, args.records, args.jobs)
        plain = cached(TRAFILATURA, devset, Config(), args.jobs).texts
        loss = attribute(devset, records, plain, args.jobs)
        ours = {name: record["text"] for name, record in records.items()}
        print("\n".join(table(devset, loss, (_recall(ours, devset), _recall(plain, devset)))))
        if args.examples:
            for step, examples in loss.examples.items():
                print(f"\n{step}:")
                for example in sorted(examples, key=lambda e: -int(e.split(": ")[1].split()[0]))[
                    : args.examples
                ]:
                    print(f"  - {example[:160]}")
        print(flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
