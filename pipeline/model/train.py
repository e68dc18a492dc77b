"""Training the page model: labelled pages to blocks with features and labels, a gradient boosted
classifier fitted on them, and its figures by leave-one-set-out (or k-fold) validation.

A block's label is whether its text is mostly in the page's gold text: at least half of its token
4-grams (the scoring's shingles, pipeline.tools.evaluate) are in the gold. A page's text from the model
is scored as newsclean's output is: the blocks kept, the headline taken out, the text rules run.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import multiprocessing
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.document import Document, DocumentError
from pipeline.extract import without_headline
from pipeline.model import COVERED, FORMAT, PageModel, merge
from pipeline.model.features import (
    READINGS,
    PageReading,
    coverage,
    feature_names,
    features,
    shingle_sets,
)
from pipeline.model.forest import Forest
from pipeline.rules import TEXT_RULES
from pipeline.rules.text.engine import apply_rules
from pipeline.tools.evaluate import GOLD_SUFFIX, Summary, load_gold, score_document, summarise

# A block is main content when at least this share of its shingles is in the gold text.
LABEL_SHARE = 0.5
# The classifier's settings: fixed, so that the same pages always give the same model.
PARAMETERS: dict[str, Any] = {
    "max_iter": 100,
    "learning_rate": 0.1,
    "max_leaf_nodes": 31,
    "min_samples_leaf": 40,
    "l2_regularization": 1.0,
    "early_stopping": False,
    "random_state": 0,
}
# The readings a model uses by default: newsclean's own text and readability's. trafilatura's recall-mode
# reading (READINGS' third) costs 19 ms a page and moved no held-out figure (macro F1 0.9308 without it
# against 0.931 with it, recall 0.9421 against 0.942; bench/model_loso.py --readings).
MODEL_READINGS = ("newsclean", "readability")
# Thresholds tried when the threshold is chosen.
THRESHOLDS = tuple(round(0.05 * step, 2) for step in range(6, 20))
_PAGE_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")


class TrainError(Exception):
    """Training data that cannot be used: said in one line."""


@dataclass(frozen=True)
class LabelledPage:
    name: str
    content: bytes
    gold: str
    url: str | None = None


@dataclass
class LabelledSet:
    """A folder of labelled pages, and the fingerprint of its gold (for the model's header)."""

    name: str
    pages: list[LabelledPage]
    gold_sha256: str


def load_set(folder: Path) -> LabelledSet:
    """A folder of labelled pages: the dev sets' layout (ground-truth.json and html/<name>.html[.gz]), or
    pairs of `<name>.html` (or .htm, optionally gzipped) and `<name>.gold.txt`. TrainError when it is
    neither, or holds no labelled page."""
    if not folder.is_dir():
        raise TrainError(f"{folder}: not a folder")
    truth = folder / "ground-truth.json"
    if truth.is_file():
        try:
            gold = load_gold(truth)
        except ValueError as error:
            raise TrainError(str(error)) from error
        digest = hashlib.sha256(truth.read_bytes()).hexdigest()
        pages_folder = folder / "html" if (folder / "html").is_dir() else folder
    else:
        try:
            gold = load_gold(folder)
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise TrainError(f"{folder}: {error}") from error
        if not gold:
            raise TrainError(
                f"{folder}: no labelled pages (give a folder of <name>.html and <name>.gold.txt pairs, or "
                "one with ground-truth.json and html/)"
            )
        sha = hashlib.sha256()
        for file in sorted(folder.rglob(f"*{GOLD_SUFFIX}")):
            sha.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
        digest = sha.hexdigest()
        pages_folder = folder
    found = _page_files(pages_folder)
    pages = []
    for name in sorted(gold):
        path = found.get(name)
        if path is None:
            continue
        content = path.read_bytes()
        if path.name.endswith(".gz"):
            try:
                content = gzip.decompress(content)
            except (OSError, EOFError) as error:
                raise TrainError(f"{path}: not a gzip file ({error})") from error
        pages.append(LabelledPage(name, content, gold[name].text, gold[name].url))
    if not pages:
        raise TrainError(
            f"{folder}: no page file matches a gold name (expected <name>.html or html/<name>.html.gz)"
        )
    return LabelledSet(folder.name, pages, digest)


def _page_files(folder: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted(folder.rglob("*")):
        if path.name.endswith(GOLD_SUFFIX) or not path.is_file():
            continue
        for suffix in _PAGE_SUFFIXES:
            if path.name.endswith(suffix):
                found.setdefault(path.name[: -len(suffix)], path)
    return found


# --- pages to samples ------------------------------------------------------------------------------


@dataclass
class Sample:
    """One page read for training: its blocks' features (every reading), texts and headline, the
    text newsclean gives it without the model, and its gold."""

    name: str
    rows: np.ndarray
    texts: list[str]
    headlines: frozenset[str]
    gold: str
    newsclean: str = ""
    error: str | None = None


@dataclass
class _Recorder:
    """A stand-in for the model that keeps what the extraction gives it and returns newsclean's own
    reading (pipeline.extract.Reader)."""

    readings: tuple[str, ...] = READINGS
    pages: list[tuple[np.ndarray, list[str], frozenset[str]]] = field(default_factory=list)

    def read(self, page: PageReading) -> Sequence[str]:
        self.pages.append((features(page, READINGS), [b.text for b in page.blocks], page.headlines))
        return page.readings.get("newsclean", ())


def sample_page(page: LabelledPage) -> Sample:
    """A labelled page read through newsclean's own path (pipeline.process), its blocks recorded."""
    from pipeline.process import Config, process_document, run_one

    recorder = _Recorder()
    document = Document(page.name, "html", content=page.content, url=page.url)
    error = None
    try:
        process_document(document, Config(model=recorder, timeout=None))
    except DocumentError as failure:
        error = f"{failure.stage}: {failure.message}"
    record = run_one(document, Config(model=None, timeout=None)).record
    current = record["text"] if record else ""
    if not recorder.pages:
        empty = np.zeros((0, len(feature_names())), dtype=np.float32)
        return Sample(page.name, empty, [], frozenset(), page.gold, current, error)
    rows, texts, headlines = recorder.pages[0]
    return Sample(page.name, rows, texts, headlines, page.gold, current, error)


def _sample_chunk(pages: list[LabelledPage]) -> list[Sample]:
    from pipeline.process import warm_up

    warm_up()
    return [sample_page(page) for page in pages]


def sample_pages(pages: Sequence[LabelledPage], jobs: int = 1) -> list[Sample]:
    """Every page read for training, in order; `jobs` processes."""
    if jobs <= 1 or len(pages) < 2 * jobs:
        return _sample_chunk(list(pages))
    chunks = [list(pages[i::jobs]) for i in range(jobs)]
    with multiprocessing.get_context("forkserver").Pool(jobs) as pool:
        done = pool.map(_sample_chunk, chunks)
    by_name = {sample.name: sample for chunk in done for sample in chunk}
    return [by_name[page.name] for page in pages]


# --- labels, fitting, scoring ----------------------------------------------------------------------


def labels(sample: Sample) -> np.ndarray:
    """Whether each block of the page is mostly gold text."""
    from pipeline.model.blocks import TOKEN

    sets = shingle_sets([sample.gold])
    return np.array([coverage(TOKEN.findall(text), sets) >= LABEL_SHARE for text in sample.texts], dtype=bool)


def columns(readings: Sequence[str]) -> list[int]:
    """The columns of a sample's rows that a model of these readings uses."""
    every = feature_names(READINGS)
    return [every.index(name) for name in feature_names(readings)]


def weights(sample: Sample) -> np.ndarray:
    """Each block weighs its share of the page's tokens (square-rooted), so pages weigh alike and long
    blocks more than short ones, as the scoring weighs them."""
    from pipeline.model.blocks import TOKEN

    sizes = np.sqrt(np.array([len(TOKEN.findall(text)) for text in sample.texts], dtype=np.float64))
    return sizes / max(float(sizes.sum()), 1.0) * 100.0


def fit(
    samples: Sequence[Sample],
    readings: Sequence[str] = MODEL_READINGS,
    page_weights: Sequence[float] | None = None,
    **overrides: Any,
) -> Forest:
    """The trees of a classifier fitted on the samples' blocks (deterministic). Every block is a
    training example, those newsclean's text holds too: fitted on the others alone (the ones the model
    decides), the held-out F1 fell by 0.004 (macro, leave-one-set-out). `page_weights`, one a sample,
    multiply its blocks' weights (default 1)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    used = columns(readings)
    factors = list(page_weights) if page_weights is not None else [1.0] * len(samples)
    pages = [(sample, factor) for sample, factor in zip(samples, factors, strict=True) if len(sample.texts)]
    rows = np.concatenate([sample.rows[:, used] for sample, _ in pages])
    targets = np.concatenate([labels(sample) for sample, _ in pages])
    weight = np.concatenate([weights(sample) * factor for sample, factor in pages])
    if targets.all() or not targets.any():
        return Forest.constant(1.0 if targets.any() else 0.0)
    parameters = {**PARAMETERS, **overrides}
    # Tags are codes read as numbers (pipeline.model.forest runs numeric splits only).
    classifier = HistGradientBoostingClassifier(categorical_features=None, **parameters)
    classifier.fit(rows, targets, sample_weight=weight)
    return Forest.of(classifier)


def predict(
    forest: Forest, samples: Sequence[Sample], readings: Sequence[str] = MODEL_READINGS
) -> list[np.ndarray]:
    """Each sample's blocks' scores."""
    used = columns(readings)
    return [forest.probabilities(sample.rows[:, used]) for sample in samples]


def model_text(sample: Sample, scores: np.ndarray, threshold: float) -> str:
    """The page's text as newsclean gives it with the model (PageModel.read): newsclean's lines with the
    blocks the model adds, the headline out, the text rules run. newsclean's lines here are those of its
    record (the text rules already run on them: they run again with the additions, and leave such lines
    as they are but for a rare repeat)."""
    if not len(sample.texts):
        return sample.newsclean
    covered = sample.rows[:, feature_names().index("in_newsclean")] >= COVERED
    lines = [line for line in sample.newsclean.split("\n") if line.strip()]
    merged = merge(lines, sample.texts, covered.tolist(), scores.tolist(), threshold)
    if len(merged) == len(lines):
        return sample.newsclean
    kept, _ = apply_rules(without_headline(tuple(merged), sample.headlines), TEXT_RULES)
    return "\n".join(kept)


def score_texts(samples: Sequence[Sample], texts: Sequence[str]) -> Summary:
    """P, R and F1 of the texts against the samples' gold (the project's scoring)."""
    found = [score_document(s.name, text, s.gold) for s, text in zip(samples, texts, strict=True)]
    return summarise(found, samples=0)


def score_model(samples: Sequence[Sample], scores: Sequence[np.ndarray], threshold: float) -> Summary:
    return score_texts(samples, [model_text(s, p, threshold) for s, p in zip(samples, scores, strict=True)])


# --- validation ------------------------------------------------------------------------------------


@dataclass
class Fold:
    """A held-out part: its name, its samples and their scores from a model fitted without them."""

    name: str
    samples: list[Sample]
    scores: list[np.ndarray]


def folds_of(sets: dict[str, list[Sample]], k: int = 5) -> Iterator[tuple[str, list[Sample], list[Sample]]]:
    """(name, training, held out): leave one set out when there are several sets, else k folds of the
    one set (pages dealt by their names' sha256, so the folds do not depend on the order)."""
    if len(sets) > 1:
        for name, held in sets.items():
            yield name, [s for other, part in sets.items() if other != name for s in part], held
        return
    (only,) = sets.values()
    parts: list[list[Sample]] = [[] for _ in range(k)]
    for sample in only:
        parts[int(hashlib.sha256(sample.name.encode()).hexdigest(), 16) % k].append(sample)
    for index, held in enumerate(parts):
        if held:
            yield (
                f"fold {index + 1}",
                [s for other, part in enumerate(parts) if other != index for s in part],
                held,
            )


def validate(
    sets: dict[str, list[Sample]],
    readings: Sequence[str] = MODEL_READINGS,
    progress: Callable[[str], None] | None = None,
    set_weights: dict[str, float] | None = None,
    **overrides: Any,
) -> list[Fold]:
    """Each held-out part scored by a model fitted on the rest (never on its own pages); the pages of a
    set named in `set_weights` weigh that much in the fits (default 1)."""
    factor = {id(s): (set_weights or {}).get(key, 1.0) for key, part in sets.items() for s in part}
    done = []
    for name, training, held in folds_of(sets):
        start = time.perf_counter()
        classifier = fit(training, readings, [factor[id(s)] for s in training], **overrides)
        done.append(Fold(name, held, predict(classifier, held, readings)))
        if progress:
            progress(f"{name}: fitted on {len(training)} pages in {time.perf_counter() - start:.0f} s")
    return done


def choose_threshold(folds: Sequence[Fold], recall_floor: float | None = None) -> float:
    """The threshold of the best macro F1 over the held-out parts, among those whose macro recall is at
    least `recall_floor` (when none is, the one of the best recall)."""
    best: tuple[float, float] | None = None
    fallback: tuple[float, float] | None = None
    for threshold in THRESHOLDS:
        summaries = [score_model(fold.samples, fold.scores, threshold) for fold in folds]
        f1 = float(np.mean([s.f1 for s in summaries]))
        recall = float(np.mean([s.recall for s in summaries]))
        if (recall_floor is None or recall >= recall_floor) and (best is None or f1 > best[0]):
            best = (f1, threshold)
        if fallback is None or recall > fallback[0]:
            fallback = (recall, threshold)
    assert fallback is not None
    return best[1] if best is not None else fallback[1]


def train_model(
    sets: dict[str, LabelledSet],
    samples: dict[str, list[Sample]],
    threshold: float,
    readings: Sequence[str] = MODEL_READINGS,
    name: str = "page model",
    set_weights: dict[str, float] | None = None,
    **overrides: Any,
) -> PageModel:
    """The model fitted on every sample (a set named in `set_weights` weighing that much), with its
    header."""
    import sklearn

    from pipeline.model.blocks import __file__ as blocks_file
    from pipeline.model.features import __file__ as features_file

    weight = set_weights or {}
    every = [sample for part in samples.values() for sample in part]
    factors = [weight.get(key, 1.0) for key, part in samples.items() for _ in part]
    forest = fit(every, readings, factors, **overrides)
    used = columns(readings)
    rows = np.concatenate([sample.rows[:, used] for sample in every if len(sample.texts)])
    code = hashlib.sha256()
    for file in (blocks_file, features_file):
        code.update(Path(file).read_bytes())
    header = {
        "format": FORMAT,
        "name": name,
        "readings": list(readings),
        "features": feature_names(readings),
        "threshold": threshold,
        "medians": [float(value) for value in np.median(rows, axis=0)],
        "parameters": {**PARAMETERS, **overrides},
        "label_share": LABEL_SHARE,
        "data": [
            {
                "set": part.name,
                "pages": len(samples[key]),
                "ground_truth_sha256": part.gold_sha256,
                **({"weight": weight[key]} if key in weight else {}),
            }
            for key, part in sets.items()
        ],
        "blocks": len(rows),
        "code": {"newsclean": _version("newsclean"), "features_sha256": code.hexdigest()},
        "versions": {"scikit-learn": sklearn.__version__, "numpy": np.__version__},
    }
    return PageModel(forest, json.loads(json.dumps(header)))


def _version(package: str) -> str:
    try:
        return version(package)
    except Exception:
        return "unknown"
