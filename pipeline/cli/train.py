"""`newsclean train`: fit a page model on labelled pages, print its validation figures, write it."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from pipeline.cli.common import EXIT_OK, CommandFailed, UsageError, positive
from pipeline.model import save_model
from pipeline.model.train import (
    MODEL_READINGS,
    PARAMETERS,
    LabelledSet,
    TrainError,
    choose_threshold,
    labels,
    load_set,
    sample_pages,
    score_model,
    score_texts,
    train_model,
    validate,
)


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "train",
        help="fit a page model on labelled pages",
        description="Fit a page model (the classifier that decides block by block what is a page's main "
        "content) on labelled pages, print its figures on pages it was not fitted on, and write it. "
        "GOLD is a folder of <name>.html (or .htm, optionally .gz) and <name>.gold.txt pairs, or a folder "
        'laid out as ground-truth.json ({name: {"articleBody": ...}}) and html/<name>.html.gz. With '
        "several folders, each is held out in turn (a model fitted on the others scores it); with one, its "
        "pages are split in folds. Use the model with `newsclean clean --model MODEL`.",
        epilog="exit status: 0 the model was written; 1 it could not be written; 2 bad arguments or "
        "training data (no labelled pages, pages with no main content).",
    )
    parser.add_argument("gold", nargs="+", metavar="GOLD", help="folders of labelled pages")
    parser.add_argument("-o", "--output", required=True, metavar="MODEL", help="the model file to write")
    parser.add_argument(
        "--threshold",
        type=float,
        metavar="P",
        help="keep blocks scoring at least P (default: the best F1 among the thresholds whose recall, on "
        "held-out pages, is at least newsclean's without a model)",
    )
    parser.add_argument(
        "--iterations",
        type=positive,
        default=PARAMETERS["max_iter"],
        help=f"boosting rounds (default {PARAMETERS['max_iter']}); fewer fit faster and learn less",
    )
    parser.add_argument(
        "--weight",
        action="append",
        default=[],
        metavar="GOLD=W",
        help="the pages of GOLD (one of the folders given) weigh W times as much as the others' in the fits "
        "(repeatable); say, your own sites' pages beside the dev sets",
    )
    parser.add_argument("--jobs", type=positive, default=1, help="processes that read the pages (default 1)")
    parser.set_defaults(func=run_train)


def _say(line: str) -> None:
    print(line, file=sys.stderr)


def _weights(given: list[str], folders: list[Path]) -> dict[str, float]:
    """`--weight GOLD=W` as {GOLD as given among the folders: W}; a usage error when GOLD is not one of
    them or W is not a positive number."""
    found: dict[str, float] = {}
    for item in given:
        folder, equals, value = item.rpartition("=")
        try:
            weight = float(value)
        except ValueError:
            weight = float("nan")
        if not equals or not weight > 0 or weight == float("inf"):
            raise UsageError(f"--weight {item}: give GOLD=W, W a number above 0")
        named = [str(path) for path in folders if path.resolve() == Path(folder).resolve()]
        if not named:
            raise UsageError(f"--weight {item}: {folder} is not one of the GOLD folders")
        found[named[0]] = weight
    return found


def run_train(args: argparse.Namespace) -> int:
    if args.threshold is not None and not 0.0 < args.threshold < 1.0:
        raise UsageError("--threshold is a probability between 0 and 1")
    output = Path(args.output)
    if output.is_dir():
        raise UsageError(f"-o {output} is a folder: give the model file's path")
    names = [Path(folder) for folder in args.gold]
    if len({folder.resolve() for folder in names}) != len(names):
        raise UsageError("a GOLD folder is given twice")
    sets: dict[str, LabelledSet] = {}
    for folder in names:
        try:
            found = load_set(folder)
        except TrainError as error:
            raise UsageError(str(error)) from error
        sets[f"{folder}"] = found
    set_weights = _weights(args.weight, names)
    start = time.perf_counter()
    samples = {key: sample_pages(found.pages, args.jobs) for key, found in sets.items()}
    pages = sum(len(part) for part in samples.values())
    _say(f"read {pages} pages in {time.perf_counter() - start:.0f} s")
    every = [labels(sample) for part in samples.values() for sample in part]
    kept = sum(int(found.sum()) for found in every)
    blocks = sum(len(found) for found in every)
    if not kept or kept == blocks:
        raise UsageError(
            f"the pages' {blocks} blocks are {'all' if kept else 'none of them'} main content: "
            "a model needs pages with both"
        )
    folds = []
    if pages >= 4:
        folds = validate(
            samples, MODEL_READINGS, progress=_say, set_weights=set_weights, max_iter=args.iterations
        )
    threshold = args.threshold
    if threshold is None:
        floor = (
            statistics.fmean(
                score_texts(fold.samples, [s.newsclean for s in fold.samples]).recall for fold in folds
            )
            if folds
            else None
        )
        threshold = choose_threshold(folds, floor) if folds else 0.5
    if folds:
        print(f"held out ({'one set at a time' if len(samples) > 1 else 'folds'}), threshold {threshold:g}:")
        print("part\tpages\tnewsclean P/R/F1\twith the model P/R/F1")
        for fold in folds:
            own = score_texts(fold.samples, [s.newsclean for s in fold.samples])
            held = score_model(fold.samples, fold.scores, threshold)
            print(
                f"{fold.name}\t{len(fold.samples)}\t{own.precision:.3f}/{own.recall:.3f}/{own.f1:.3f}"
                f"\t{held.precision:.3f}/{held.recall:.3f}/{held.f1:.3f}"
            )
    else:
        print(f"{pages} pages: too few to hold any out; no figures")
    start = time.perf_counter()
    model = train_model(
        sets,
        samples,
        threshold,
        MODEL_READINGS,
        name=f"fitted on {', '.join(sets)}",
        set_weights=set_weights,
        max_iter=args.iterations,
    )
    try:
        save_model(model, output)
    except OSError as error:
        raise CommandFailed("train", f"cannot write {output}: {error.strerror or error}") from error
    _say(f"fitted on {pages} pages in {time.perf_counter() - start:.0f} s; wrote {output}")
    return EXIT_OK
