"""Does retraining the page model on one's own sites pay? One dev set whose pages name their sites is held
apart site by site: for a group of its sites, a user labels 30 of their pages (one page of each site), and
the rest of those sites' pages are scored, never trained on.

Usage:
    .venv/bin/python bench/model_sites.py --set wcxb-dev --jobs 2              # 3 splits, seed 0
    .venv/bin/python bench/model_sites.py --set fundus-tests --weights 1,10,30 --splits 5

Sites: fundus-tests names each page's publisher (ground-truth.json), wcxb-dev its domain (page-info.json),
zyte its URL; l3s-gn1's copy has no URLs, so no sites. A split draws sites that have two pages or more (a
fixed seed: the same splits every run), labels one page of each until 30 are labelled, and scores the
other pages of those sites. On exactly those scored pages, beside newsclean without a model and plain
trafilatura:

- the default model: fitted, with the shipped model's settings and threshold, on the other dev sets (the
  shipped model is fitted on every dev set, so it has seen the scored pages and is not used here);
- retrained: fitted on the other dev sets and the 30 labelled pages (`newsclean train` on them and the
  user's folder), the user's pages weighing W times as much (`--weight GOLD=W`), threshold the default's;
- 30 pages only: fitted on the 30 labelled pages alone, threshold chosen as `newsclean train` chooses it
  with one folder (5 folds of the 30 pages).

Pages are read through the cache of bench/model_loso.py (output/model-cache). Scores use
pipeline.tools.evaluate (token 4-gram shingles), averaged over the scored pages of a split; the mean is over
the splits.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from model_loso import DATA, SETS, ReadSet, load_samples  # noqa: E402

from pipeline.model import SHIPPED, read_header  # noqa: E402
from pipeline.model.train import (  # noqa: E402
    MODEL_READINGS,
    PARAMETERS,
    Sample,
    choose_threshold,
    fit,
    predict,
    score_model,
    score_texts,
    validate,
)
from pipeline.tools.evaluate import Summary  # noqa: E402

LABELLED = 30


def sites(name: str, data: Path = DATA) -> dict[str, str]:
    """{page name: its site} for the pages of a dev set that name their site."""
    folder = data / name
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    info_path = folder / "page-info.json"
    info = json.loads(info_path.read_text(encoding="utf-8")) if info_path.is_file() else {}
    found = {}
    for page, entry in truth.items():
        site = entry.get("publisher") or info.get(page, {}).get("domain") or ""
        if not site and entry.get("url"):
            site = urlsplit(entry["url"]).hostname or ""
        site = site.lower().removeprefix("www.")
        if site:
            found[page] = site
    return found


def splits(
    site_of: dict[str, str], count: int, seed: int, labelled: int = LABELLED
) -> list[tuple[list[str], list[str], int]]:
    """`count` splits, each (labelled pages, scored pages, sites): sites with two pages or more drawn at
    random (seeded), one page of each labelled until `labelled` are, their other pages scored."""
    by_site: dict[str, list[str]] = {}
    for page, site in sorted(site_of.items()):
        by_site.setdefault(site, []).append(page)
    eligible = sorted(site for site, pages in by_site.items() if len(pages) >= 2)
    if len(eligible) < labelled:
        raise SystemExit(f"only {len(eligible)} sites have two pages or more: {labelled} are needed")
    done = []
    for number in range(count):
        rng = random.Random(f"{seed}-{number}")
        drawn = eligible[:]
        rng.shuffle(drawn)
        train, scored = [], []
        for site in drawn[:labelled]:
            pages = by_site[site][:]
            rng.shuffle(pages)
            train.append(pages[0])
            scored += pages[1:]
        done.append((sorted(train), sorted(scored), labelled))
    return done


def _cell(summary: tuple[float, float, float]) -> str:
    return " / ".join(f"{value:.3f}" for value in summary)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--set", default="wcxb-dev", help="the dev set held apart by site (default wcxb-dev)")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--splits", type=int, default=3, help="splits (default 3)")
    parser.add_argument("--seed", type=int, default=0, help="the splits' seed (default 0)")
    parser.add_argument(
        "--weights",
        default="1,10",
        help="the weights W of the user's pages in the retrained models, one model each (default 1,10)",
    )
    parser.add_argument("--jobs", type=int, default=1, help="processes that read pages not yet cached")
    args = parser.parse_args(argv)
    if args.set not in SETS:
        parser.error(f"--set is one of {', '.join(SETS)}")
    weights = [float(value) for value in args.weights.split(",") if value]
    site_of = sites(args.set, args.data)
    if not site_of:
        parser.error(f"no page of {args.set} names its site (its copy has no URLs)")
    drawn = splits(site_of, args.splits, args.seed)
    start = time.perf_counter()
    read: dict[str, ReadSet] = {name: load_samples(name, args.data, args.jobs) for name in SETS}
    _say(f"read the dev sets in {time.perf_counter() - start:.0f} s")
    held = {sample.name: (sample, plain) for sample, plain in zip(*_parts(read[args.set]), strict=True)}
    others = [sample for name, part in read.items() if name != args.set for sample in part.samples]
    threshold = float(read_header(SHIPPED)["threshold"])
    iterations = PARAMETERS["max_iter"]

    names = [
        "newsclean (no model)",
        f"trafilatura {version('trafilatura')} extract(include_comments=False)",
        "30 pages only",
        f"default model (other sets, threshold {threshold:g})",
        *[f"retrained: other sets + 30 pages, weight {w:g}" for w in weights],
    ]
    table: dict[str, list[tuple[float, float, float]]] = {name: [] for name in names}
    header = []
    labelled = []
    for number, (train_names, scored_names, count) in enumerate(drawn, 1):
        mine = [held[name][0] for name in train_names]
        scored: list[Sample] = [held[name][0] for name in scored_names]
        header.append(f"split {number} ({count} sites, {len(scored)} pages)")
        labelled.append((mine, scored))
        _record(table, names[0], number, score_texts(scored, [s.newsclean for s in scored]))
        _record(table, names[1], number, score_texts(scored, [held[name][1] for name in scored_names]))
    # The fits on the other sets are slow (minutes each): each figure is printed as soon as it is known.
    start = time.perf_counter()
    default = fit(others, MODEL_READINGS, max_iter=iterations)
    _say(f"default model: fitted on {len(others)} pages in {time.perf_counter() - start:.0f} s")
    for number, (_mine, scored) in enumerate(labelled, 1):
        _record(table, names[3], number, score_model(scored, predict(default, scored), threshold))
    for number, (mine, scored) in enumerate(labelled, 1):
        for weight, name in zip(weights, names[4:], strict=True):
            start = time.perf_counter()
            forest = fit(
                [*others, *mine],
                MODEL_READINGS,
                [1.0] * len(others) + [weight] * len(mine),
                max_iter=iterations,
            )
            _say(f"split {number}, weight {weight:g}: fitted in {time.perf_counter() - start:.0f} s")
            _record(table, name, number, score_model(scored, predict(forest, scored), threshold))
        # The 30 pages alone, the threshold chosen as `newsclean train` chooses it with one folder.
        folds = validate({"mine": mine}, MODEL_READINGS)
        floor = statistics.fmean(
            score_texts(f.samples, [s.newsclean for s in f.samples]).recall for f in folds
        )
        own = choose_threshold(folds, floor)
        _record(table, names[2], number, score_model(scored, predict(fit(mine, MODEL_READINGS), scored), own))

    print(f"{args.set}, held apart by site (seed {args.seed}); P / R / F1 on the scored pages")
    print("| extractor | " + " | ".join(header) + " | mean |")
    print("| --- |" + " --- |" * (len(header) + 1))
    for name in names:
        found = table[name]
        mean = tuple(statistics.fmean(row[i] for row in found) for i in range(3))
        cells = [_cell(row) for row in found] + [_cell((mean[0], mean[1], mean[2]))]
        print(f"| {name} | " + " | ".join(cells) + " |")
    for name in names:
        print(f"mean F1, 4 places: {name}: {statistics.fmean(row[2] for row in table[name]):.4f}")
    return 0


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _record(
    table: dict[str, list[tuple[float, float, float]]], name: str, split: int, found: Summary
) -> None:
    table[name].append((found.precision, found.recall, found.f1))
    _say(f"split {split}: {name}: P / R / F1 {found.precision:.3f} / {found.recall:.3f} / {found.f1:.3f}")


def _parts(part: ReadSet) -> tuple[list[Sample], list[str]]:
    return part.samples, part.trafilatura


if __name__ == "__main__":
    sys.exit(main())
