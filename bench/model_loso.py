"""The page model by leave-one-set-out: for each dev set, a model fitted on the other three scores it, beside
newsclean without the model and plain trafilatura, in one run.

Usage:
    .venv/bin/python bench/model_loso.py --jobs 2                   # the LOSO table
    .venv/bin/python bench/model_loso.py --readings newsclean,readability,recall   # other readings
    .venv/bin/python bench/model_loso.py --ship                     # and write the model fitted on every set

The dev sets are ../shared/benchmarks/<set>. Each page is read once through newsclean's own path (its
blocks' features, newsclean's text without the model) and by `trafilatura.extract(html,
include_comments=False)`; what is read is cached in output/model-cache, keyed by the code that reads it,
so a model is fitted again without reading the pages again (--fresh reads them again). The threshold is
the one of the best macro F1 over the held-out sets among those whose macro recall is at least plain
trafilatura's (--threshold fixes it). Scores use pipeline.tools.evaluate (token 4-gram shingles).

The functions (`load_samples`, `loso`, `loso_rows`) are importable, for bench/quality.py.
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.model import SHIPPED, save_model  # noqa: E402
from pipeline.model.train import (  # noqa: E402
    MODEL_READINGS,
    PARAMETERS,
    Fold,
    LabelledPage,
    LabelledSet,
    Sample,
    choose_threshold,
    load_set,
    sample_page,
    score_model,
    score_texts,
    train_model,
    validate,
)

DATA = REPO.parent / "shared" / "benchmarks"
SETS = ("zyte", "l3s-gn1", "fundus-tests", "wcxb-dev")
CACHE = REPO / "output" / "model-cache"


# Code that does not read pages: the command line, training, loading and explaining a model.
_NOT_READING = (
    "pipeline/model/train.py",
    "pipeline/model/__init__.py",
    "pipeline/model/explain.py",
    "pipeline/model/forest.py",
)


def code_key() -> str:
    """A fingerprint of the code that reads a page (everything under pipeline/ but the command line and
    the training), and of trafilatura's version."""
    digest = hashlib.sha256(version("trafilatura").encode())
    for path in sorted((REPO / "pipeline").rglob("*.py")):
        relative = path.relative_to(REPO).as_posix()
        if relative.startswith("pipeline/cli/") or relative in _NOT_READING:
            continue
        digest.update(relative.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass
class ReadSet:
    """A dev set read: its pages' samples and plain trafilatura's text of each."""

    labelled: LabelledSet
    samples: list[Sample]
    trafilatura: list[str]


def _read_chunk(pages: list[LabelledPage]) -> list[tuple[Sample, str, float]]:
    import trafilatura

    from pipeline.process import warm_up

    warm_up()
    done = []
    for page in pages:
        sample = sample_page(page)
        start = time.process_time()
        plain = trafilatura.extract(page.content, include_comments=False) or ""
        done.append((sample, plain, time.process_time() - start))
    return done


def load_samples(name: str, data: Path = DATA, jobs: int = 1, fresh: bool = False) -> ReadSet:
    """A dev set read (from the cache when the same code read it before)."""
    import multiprocessing

    labelled = load_set(data / name)
    path = CACHE / f"{name}-{code_key()}-{labelled.gold_sha256[:12]}.pkl"
    if path.exists() and not fresh:
        with path.open("rb") as handle:
            samples, plain = pickle.load(handle)
        return ReadSet(labelled, samples, plain)
    pages = labelled.pages
    chunks = [pages[i::jobs] for i in range(jobs)]
    if jobs > 1:
        with multiprocessing.get_context("forkserver").Pool(jobs) as pool:
            results = [row for chunk in pool.map(_read_chunk, chunks) for row in chunk]
    else:
        results = _read_chunk(pages)
    by_name = {sample.name: (sample, text) for sample, text, _ in results}
    samples = [by_name[page.name][0] for page in pages]
    plain = [by_name[page.name][1] for page in pages]
    CACHE.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".part")
    with temporary.open("wb") as handle:
        pickle.dump((samples, plain), handle, protocol=pickle.HIGHEST_PROTOCOL)
    temporary.replace(path)
    return ReadSet(labelled, samples, plain)


def loso(read: dict[str, ReadSet], readings: Sequence[str] = MODEL_READINGS, **overrides: Any) -> list[Fold]:
    """Each set scored by a model fitted on the others (`overrides`: the classifier's settings)."""
    return validate(
        {name: part.samples for name, part in read.items()},
        readings,
        progress=lambda line: print(line, file=sys.stderr),
        **overrides,
    )


@dataclass
class Row:
    extractor: str
    scores: list[tuple[float, float, float]]

    def macro(self) -> tuple[float, float, float]:
        return (
            statistics.fmean(s[0] for s in self.scores),
            statistics.fmean(s[1] for s in self.scores),
            statistics.fmean(s[2] for s in self.scores),
        )


def loso_rows(read: dict[str, ReadSet], folds: Sequence[Fold], threshold: float) -> list[Row]:
    """The table's rows: newsclean without the model, with the model (LOSO), plain trafilatura."""
    current, model, plain = [], [], []
    for fold in folds:
        part = read[fold.name]
        for row, summary in (
            (current, score_texts(part.samples, [s.newsclean for s in part.samples])),
            (model, score_model(fold.samples, fold.scores, threshold)),
            (plain, score_texts(part.samples, part.trafilatura)),
        ):
            row.append((summary.precision, summary.recall, summary.f1))
    return [
        Row("newsclean (no model)", current),
        Row(f"newsclean with the page model (LOSO, threshold {threshold:g})", model),
        Row(f"trafilatura {version('trafilatura')} extract(include_comments=False)", plain),
    ]


def print_table(names: Sequence[str], rows: Sequence[Row]) -> None:
    print("| extractor | " + " | ".join(f"{n} P / R / F1" for n in names) + " | macro P / R / F1 |")
    print("| --- |" + " --- |" * (len(names) + 1))
    for row in rows:
        cells = [f"{p:.3f} / {r:.3f} / {f:.3f}" for p, r, f in [*row.scores, row.macro()]]
        print(f"| {row.extractor} | " + " | ".join(cells) + " |")
    for row in rows:
        precision, recall, f1 = row.macro()
        print(f"macro, 4 places: {row.extractor}: P {precision:.4f} R {recall:.4f} F1 {f1:.4f}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--fresh", action="store_true", help="read the pages again, not from the cache")
    parser.add_argument(
        "--readings",
        default=",".join(MODEL_READINGS),
        help="the readings the model uses, of newsclean, readability, recall (default newsclean,readability)",
    )
    parser.add_argument("--threshold", type=float, help="fix the threshold instead of choosing it")
    parser.add_argument("--iterations", type=int, default=PARAMETERS["max_iter"], help="boosting rounds")
    parser.add_argument(
        "--ship", action="store_true", help=f"write the model fitted on every set to {SHIPPED}"
    )
    args = parser.parse_args(argv)
    names = args.sets.split(",")
    readings = tuple(args.readings.split(","))
    start = time.perf_counter()
    read = {name: load_samples(name, args.data, args.jobs, args.fresh) for name in names}
    print(
        f"read {sum(len(r.samples) for r in read.values())} pages in {time.perf_counter() - start:.0f} s",
        file=sys.stderr,
    )
    start = time.perf_counter()
    folds = loso(read, readings, max_iter=args.iterations)
    print(f"LOSO fits in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    plain_recall = statistics.fmean(
        score_texts(part.samples, part.trafilatura).recall for part in read.values()
    )
    threshold = args.threshold if args.threshold is not None else choose_threshold(folds, plain_recall)
    print_table(names, loso_rows(read, folds, threshold))
    if args.ship:
        start = time.perf_counter()
        model = train_model(
            {name: part.labelled for name, part in read.items()},
            {name: part.samples for name, part in read.items()},
            threshold,
            readings,
            name="newsclean page model, fitted on " + ", ".join(names),
            max_iter=args.iterations,
        )
        save_model(model, SHIPPED)
        print(
            f"wrote {SHIPPED} ({SHIPPED.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - start:.0f} s",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
