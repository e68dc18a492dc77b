"""Precision, recall and F1 of newsclean and of the anchors (plain trafilatura, readability-lxml,
magic-html) on every dev set, in one run.

Usage:
    .venv/bin/python bench/quality.py                 # the tables: every set, the macro-average, pages/s
    .venv/bin/python bench/quality.py --loso          # leave one set out: settings fitted on the others
    .venv/bin/python bench/quality.py --loso --fit 'entries,family:*'   # fit only these, the rest default
    .venv/bin/python bench/quality.py --ablate        # each setting and page rule turned over, per set
    .venv/bin/python bench/quality.py --audit         # per rule: removals, and the share that was gold text
    .venv/bin/python bench/quality.py --check         # exit 1 if the macro-average F1 fell below the floor

The dev sets are ../shared/benchmarks/<set> (html/<name>.html.gz, ground-truth.json and, for wcxb-dev,
page-info.json). Two metrics, both from pipeline.tools.evaluate: the project's (token 4-gram shingles, P and R
averaged over documents, F1 of the averages; the Zyte benchmark's rule) and WCXB's own (the bag of lowercased
words, P, R and F1 per page averaged over pages; the shares of the must-include phrases found and of the
must-exclude phrases absent, averaged over the pages that have them). The anchors are plain trafilatura
(`trafilatura.extract(html, include_comments=False)`), readability-lxml (`Document(html).summary(
html_partial=True)`, text by html-text) and magic-html (`GeneralExtractor().extract(html)`, text by
html-text), each where installed. Every run's texts are cached in output/quality-cache (bench/runs.py;
newsclean's by a hash of its configuration and source; --fresh runs everything again); pages/s is per core,
from the CPU time each extractor spent, so runs on several processes (--jobs) give the same figure.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields, replace
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from devsets import DATA, PAGE_TYPES, SETS, DevSet, load_set  # noqa: E402
from fitting import NOT_TUNED, Fold, folds, registry, restored_text  # noqa: E402
from runs import NEWSCLEAN, anchors, cached, config_key, missing_anchors, run  # noqa: E402

from pipeline import Config  # noqa: E402
from pipeline.rules import PAGE_RULES, TEXT_RULES  # noqa: E402
from pipeline.tools.evaluate import (  # noqa: E402
    WordSummary,
    score_document,
    score_words,
    shingles,
    summarise,
    summarise_words,
)

# The macro-average F1 (shingles) of newsclean's default configuration over the four dev sets must not fall
# below this (--check): the figure measured when it was set (0.9312), less a little for the last-digit wobble.
MACRO_F1_FLOOR = 0.929
# A removal is counted as gold text when this share of its shingles is in the page's gold text.
GOLD_SHARE = 0.5
DEFAULT = "newsclean"


# --- scoring ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    """One extractor on one set (or on its pages of one type): shingle P, R, F1; WCXB's word scores."""

    precision: float
    recall: float
    f1: float
    words: WordSummary
    pages_per_second: float = 0.0


def score(texts: dict[str, str], devset: DevSet, seconds: float = 0.0, names: Sequence[str] = ()) -> Score:
    names = names or list(devset.gold)
    shingled = summarise(
        [score_document(name, texts.get(name), devset.gold[name].text) for name in names], samples=0
    )
    words = []
    for name in names:
        info = devset.info.get(name)
        phrases = (info.with_phrases, info.without_phrases) if info else ((), ())
        words.append(score_words(texts.get(name, ""), devset.gold[name].text, *phrases))
    speed = len(texts) / seconds if seconds else 0.0
    return Score(shingled.precision, shingled.recall, shingled.f1, summarise_words(words), speed)


def macro(scores: Sequence[Score]) -> tuple[float, float, float, float]:
    """The mean over sets of shingle P, R, F1 and of WCXB's word F1."""
    return (
        statistics.fmean(s.precision for s in scores),
        statistics.fmean(s.recall for s in scores),
        statistics.fmean(s.f1 for s in scores),
        statistics.fmean(s.words.f1 for s in scores),
    )


def _prf(precision: float, recall: float, f1: float) -> str:
    return f"{precision:.3f} / {recall:.3f} / **{f1:.3f}**"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


# --- the tables -------------------------------------------------------------------------------------------

Rows = dict[str, list[Score]]


def shingle_table(rows: Rows, names: list[str]) -> Iterator[str]:
    yield (
        "| extractor | " + " | ".join(f"{n} P / R / F1" for n in names) + " | macro P / R / F1 | pages/s |"
    )
    yield "|" + " --- |" * (len(names) + 3)
    for label, scores in rows.items():
        p, r, f1, _ = macro(scores)
        cells = " | ".join(_prf(s.precision, s.recall, s.f1) for s in scores)
        speed = statistics.fmean(s.pages_per_second for s in scores)
        yield f"| {label} | {cells} | {_prf(p, r, f1)} | {speed:.0f} |"


def word_table(rows: Rows, devsets: list[DevSet]) -> Iterator[str]:
    phrased = [d.name for d in devsets if d.info]
    yield (
        "| extractor | "
        + " | ".join(f"{d.name} P / R / F1" for d in devsets)
        + " | macro F1 | "
        + " | ".join(f"{n} must-include found | {n} must-exclude absent" for n in phrased)
        + " |"
    )
    yield "|" + " --- |" * (len(devsets) + 2 + 2 * len(phrased))
    for label, scores in rows.items():
        cells = " | ".join(_prf(s.words.precision, s.words.recall, s.words.f1) for s in scores)
        shares = " | ".join(
            f"{_share(s.words.found)} | {_share(s.words.absent)}"
            for s, d in zip(scores, devsets, strict=True)
            if d.info
        )
        yield f"| {label} | {cells} | {macro(scores)[3]:.3f} | {shares} |"


def type_table(texts: dict[str, dict[str, str]], devset: DevSet) -> Iterator[str]:
    """Per page type: shingle F1 / WCXB word F1 of each extractor."""
    types = [t for t in PAGE_TYPES if devset.of_type(t)]
    yield (
        f"| {devset.name}: shingle F1 / WCXB F1 | "
        + " | ".join(f"{t} ({len(devset.of_type(t))})" for t in types)
        + " |"
    )
    yield "|" + " --- |" * (len(types) + 1)
    for label, by_page in texts.items():
        cells = []
        for page_type in types:
            s = score(by_page, devset, names=devset.of_type(page_type))
            cells.append(f"{s.f1:.3f} / {s.words.f1:.3f}")
        yield f"| {label} | " + " | ".join(cells) + " |"


def table(args: argparse.Namespace, devsets: list[DevSet]) -> int:
    rows: Rows = {}
    texts: dict[str, dict[str, dict[str, str]]] = {}  # by set, by extractor: the texts
    for devset in devsets:
        for key, anchor in anchors().items():
            done = cached(key, devset, Config(), args.jobs, args.fresh)
            rows.setdefault(anchor.label, []).append(score(done.texts, devset, done.seconds))
            texts.setdefault(devset.name, {})[anchor.label] = done.texts
        if args.jsonl:
            done = run(NEWSCLEAN, devset.pages, Config(), args.jobs, keep_records=True)
            _write_jsonl(Path(args.jsonl) / f"{devset.name}.jsonl", done.records)
        else:
            done = cached(NEWSCLEAN, devset, Config(), args.jobs, args.fresh)
        rows.setdefault(DEFAULT, []).append(score(done.texts, devset, done.seconds))
        texts[devset.name][DEFAULT] = done.texts
    _note_missing()
    print("Token 4-gram shingles (the project's metric):\n")
    print("\n".join(shingle_table(rows, [d.name for d in devsets])))
    print("\nWCXB's metric (lowercased word bag, averaged over pages):\n")
    print("\n".join(word_table(rows, devsets)))
    for devset in devsets:
        if devset.info:
            print()
            print("\n".join(type_table(texts[devset.name], devset)))
    if args.check:
        return check(rows[DEFAULT], [d.name for d in devsets])
    return 0


def check(scores: list[Score], names: list[str]) -> int:
    if names != list(SETS):
        print(
            f"quality: the floor is the macro F1 over {', '.join(SETS)}: run --check on them all",
            file=sys.stderr,
        )
        return 2
    f1 = macro(scores)[2]
    print(f"\nmacro F1 {f1:.4f}, floor {MACRO_F1_FLOOR:.4f}: {'ok' if f1 >= MACRO_F1_FLOOR else 'BELOW'}")
    return 0 if f1 >= MACRO_F1_FLOOR else 1


def _note_missing() -> None:
    for anchor in missing_anchors():
        print(f"quality: left out: {anchor}", file=sys.stderr)


def _write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


# --- leave one set out ------------------------------------------------------------------------------------


def _changes(config: Config) -> str:
    """A configuration's extraction settings and removal families that differ from the default's."""
    default = Config()
    changed = [
        f"{f.name}={getattr(config.extract, f.name)}"
        for f in fields(default.extract)
        if getattr(config.extract, f.name) != getattr(default.extract, f.name)
    ]
    changed += [f"{name} off" for name in sorted(config.disabled_families - default.disabled_families)]
    changed += [f"{name} on" for name in sorted(default.disabled_families - config.disabled_families)]
    return ", ".join(changed) or "default"


class Measured:
    """newsclean's scores per configuration and set, each run once (and cached on disk: bench/runs.py)."""

    def __init__(self, devsets: dict[str, DevSet], jobs: int, fresh: bool) -> None:
        self.devsets, self.jobs, self.fresh = devsets, jobs, fresh
        self.scores: dict[tuple[str, str], Score] = {}
        self.records: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.replayed: dict[tuple[str, str, frozenset[str]], float] = {}

    def score(self, config: Config, set_name: str) -> Score:
        key = (config_key(config), set_name)
        if key not in self.scores:
            devset = self.devsets[set_name]
            start = time.monotonic()
            done = cached(NEWSCLEAN, devset, config, self.jobs, self.fresh)
            self.scores[key] = score(done.texts, devset, done.seconds)
            print(
                f"  {set_name}, {_changes(config)}: {time.monotonic() - start:.0f} s",
                file=sys.stderr,
                flush=True,
            )
        return self.scores[key]

    def f1(self, config: Config, set_name: str) -> float:
        return self.score(config, set_name).f1

    def replay(self, config: Config, set_name: str, restored: frozenset[str]) -> float:
        """The F1 of a configuration's records on a set with these families' removals put back."""
        key = (config_key(config), set_name, restored)
        if key not in self.replayed:
            devset = self.devsets[set_name]
            records = self.records.get(key[:2])
            if records is None:
                records = cached(NEWSCLEAN, devset, config, self.jobs, self.fresh, keep_records=True).records
                self.records[key[:2]] = records
            texts = {record["source"]: restored_text(record, restored) for record in records}
            self.replayed[key] = score(texts, devset).f1
        return self.replayed[key]


def loso(args: argparse.Namespace, devsets: list[DevSet]) -> int:
    started, cpu = time.monotonic(), time.process_time()
    by_name = {d.name: d for d in devsets}
    measured = Measured(by_name, args.jobs, args.fresh)
    fittables = tuple(
        f for f in registry() if not args.fit or any(fnmatch(f.name, p) for p in args.fit.split(","))
    )
    fitted: list[Fold] = []
    means: Rows = {}
    # Each fold is scored and printed as soon as it is fitted: a run cut short keeps the folds it finished.
    for fold in folds(by_name, measured.f1, fittables, replay=measured.replay):
        print(f"fold {fold.held_out}: {_changes(fold.config)}", file=sys.stderr, flush=True)
        fitted.append(fold)
        devset = by_name[fold.held_out]
        rows: Rows = {
            "newsclean-LOSO": [measured.score(fold.config, fold.held_out)],
            "newsclean-default (in-sample)": [measured.score(Config(), fold.held_out)],
        }
        texts = {
            "newsclean-LOSO": cached(NEWSCLEAN, devset, fold.config, args.jobs).texts,
            "newsclean-default (in-sample)": cached(NEWSCLEAN, devset, Config(), args.jobs).texts,
        }
        for key, anchor in anchors().items():
            done = cached(key, devset, Config(), args.jobs, args.fresh)
            rows[anchor.label] = [score(done.texts, devset, done.seconds)]
            texts[anchor.label] = done.texts
        print(
            f"\nHeld out: {fold.held_out} (fitted on {', '.join(n for n in by_name if n != fold.held_out)}; "
            f"{_changes(fold.config)})\n"
        )
        print("| extractor | P | R | F1 | WCXB F1 |")
        print("| --- | --- | --- | --- | --- |")
        for label, (s,) in rows.items():
            print(f"| {label} | {s.precision:.3f} | {s.recall:.3f} | **{s.f1:.3f}** | {s.words.f1:.3f} |")
            means.setdefault(label, []).append(s)
        if devset.info:
            print()
            print("\n".join(type_table(texts, devset)))
        print(flush=True)
    _note_missing()
    print("\nMean over the held-out sets:\n")
    print("| extractor | P | R | F1 | WCXB F1 |")
    print("| --- | --- | --- | --- | --- |")
    for label, scores in means.items():
        p, r, f1, words = macro(scores)
        print(f"| {label} | {p:.3f} | {r:.3f} | **{f1:.3f}** | {words:.3f} |")
    print(
        "\nChosen settings per fold (fitted greedily, one at a time, on the macro F1 of the other sets; a "
        "family's True is on, fitted on the records of one run, its removals put back when off):\n"
    )
    print("| setting | default | " + " | ".join(f"held out {f.held_out}" for f in fitted) + " |")
    print("|" + " --- |" * (len(fitted) + 2))
    for fittable in fittables:
        cells = " | ".join(str(f.chosen[fittable.name]) for f in fitted)
        print(f"| `{fittable.name}` | {fittable.default(Config())} | {cells} |")
    print(
        f"\nLOSO run: {time.monotonic() - started:.0f} s wall, {len(measured.scores)} newsclean runs of a "
        f"set (configurations x sets), main process CPU {time.process_time() - cpu:.0f} s",
    )
    return 0


# --- ablations ----------------------------------------------------------------------------------------


def variants() -> Iterator[tuple[str, Config]]:
    """The default, then each extraction setting turned over, then each page rule turned off."""
    default = Config()
    yield "default", default
    options = default.extract
    for option in fields(options):
        value = getattr(options, option.name)
        if isinstance(value, bool) and option.name not in NOT_TUNED:
            changed = replace(options, **{option.name: not value})
            yield f"{option.name}={not value}", replace(default, extract=changed)
    for rule in PAGE_RULES:
        yield f"without {rule.name}", Config(disabled_rules=frozenset({rule.name}))
    yield "without page rules", Config(disabled_rules=frozenset(r.name for r in PAGE_RULES))
    yield "without text rules", Config(disabled_rules=frozenset(r.name for r in TEXT_RULES))


def ablate(args: argparse.Namespace, devsets: list[DevSet]) -> int:
    names = [d.name for d in devsets]
    print("| variant | " + " | ".join(f"{n} F1" for n in names) + " | macro F1 | macro R | Δ macro F1 |")
    print("|" + " --- |" * (len(names) + 4))
    base: float | None = None
    for label, config in variants():
        if args.only and label != "default" and not any(part in label for part in args.only.split(",")):
            continue
        scores = [score(cached(NEWSCLEAN, d, config, args.jobs, args.fresh).texts, d) for d in devsets]
        _, recall, f1, _ = macro(scores)
        base = f1 if base is None else base
        cells = " | ".join(f"{s.f1:.4f}" for s in scores)
        print(f"| {label} | {cells} | {f1:.4f} | {recall:.4f} | {f1 - base:+.5f} |", flush=True)
    return 0


# --- rule audit ---------------------------------------------------------------------------------------


def audit(args: argparse.Namespace, devsets: list[DevSet]) -> int:
    removals: Counter[str] = Counter()
    golden: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for devset in devsets:
        for record in run(NEWSCLEAN, devset.pages, Config(), args.jobs, keep_records=True).records:
            truth = devset.gold.get(record["source"])
            if truth is None:
                continue
            have = shingles(truth.text)
            for removal in record["removed"]:
                removals[removal["rule"]] += 1
                cut = shingles(removal["text"])
                inside = sum((cut & have).values())
                if cut and inside >= GOLD_SHARE * sum(cut.values()):
                    golden[removal["rule"]] += 1
                    examples.setdefault(removal["rule"], []).append(removal["text"][:120])
    print("| rule | removals | gold text | share |")
    print("| --- | --- | --- | --- |")
    for rule, count in removals.most_common():
        print(f"| `{rule}` | {count} | {golden[rule]} | {golden[rule] / count:.0%} |")
    if args.examples:
        for rule, texts in examples.items():
            print(f"\n{rule}:")
            for text in texts[: args.examples]:
                print(f"  - {text}")
    return 0


MODES: dict[str, Callable[[argparse.Namespace, list[DevSet]], int]] = {
    "loso": loso,
    "ablate": ablate,
    "audit": audit,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the folder of the dev sets")
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated dev sets")
    parser.add_argument("--jobs", type=int, default=1, help="processes to spread the pages over")
    parser.add_argument("--fresh", action="store_true", help="run every extractor again, ignoring the cache")
    parser.add_argument("--jsonl", metavar="DIR", help="also write newsclean's records, one file a set")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when the macro-average F1 is below the floor"
    )
    parser.add_argument(
        "--loso", action="store_true", help="leave one set out: settings fitted on the others, scored on it"
    )
    parser.add_argument(
        "--fit",
        metavar="NAMES",
        help="with --loso: fit only these choices (comma-separated, * as a wildcard: entries,family:*); "
        "the others keep their defaults",
    )
    parser.add_argument("--ablate", action="store_true", help="each setting and page rule turned over")
    parser.add_argument("--only", help="with --ablate: only the variants whose label has one of these parts")
    parser.add_argument(
        "--audit", action="store_true", help="per rule: removals and the share that was gold text"
    )
    parser.add_argument(
        "--examples", type=int, default=0, help="with --audit: gold-text removals to show a rule"
    )
    args = parser.parse_args()
    names = args.sets.split(",")
    missing = [name for name in names if not (args.data / name).is_dir()]
    if missing:
        print(f"quality: no dev set {', '.join(missing)} in {args.data}", file=sys.stderr)
        return 2
    devsets = [load_set(name, args.data) for name in names]
    for mode, function in MODES.items():
        if getattr(args, mode):
            return function(args, devsets)
    return table(args, devsets)


if __name__ == "__main__":
    sys.exit(main())
