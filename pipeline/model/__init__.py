"""The page model: a classifier, trained on labelled pages, that decides block by block what on a page is
its main content.

A page is read as blocks (pipeline.model.blocks); each block gets language-independent features
(pipeline.model.features), among them whether each extractor's reading of the page keeps it; a gradient
boosted classifier scores each block. The text is newsclean's own reading of the page with the blocks it
left out that score at least the model's threshold added in their place: the model adds what newsclean
drops (later sections, further posts of a thread), and what newsclean keeps stays (`merge`). Training and
the leave-one-set-out figures are in pipeline.model.train.

A model file is one line of JSON (the header: format, feature names, readings, threshold, the training
data's sets, page counts and ground-truth sha256, the code and library versions), then the fitted
classifier's trees as numpy arrays (pipeline.model.forest): no pickle, so loading runs no code of the file,
and no scikit-learn is needed to use a model, only to train one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.model.blocks import TOKEN
from pipeline.model.features import SHINGLE, PageReading, feature_names, features
from pipeline.model.forest import Forest

FORMAT = "newsclean-page-model/2"
# The model shipped with newsclean, and whether it is used by default (it is when it wins in
# leave-one-set-out validation; see the README's "The page model").
SHIPPED = Path(__file__).with_name("page-model.bin")
SHIPPED_BY_DEFAULT = True


# A block is newsclean's when at least this share of its shingles is in newsclean's own text.
COVERED = 0.5


def merge(
    lines: Sequence[str],
    texts: Sequence[str],
    covered: Sequence[bool],
    scores: Sequence[float],
    threshold: float,
) -> list[str]:
    """newsclean's lines with the blocks it left out (not `covered`) that score at least `threshold`
    added, in page order: each added block goes after the line that holds the nearest block above it
    that newsclean kept (before the first line when there is none)."""
    where: dict[tuple[str, ...], int] = {}
    for index, line in enumerate(lines):
        words = TOKEN.findall(line)
        for start in range(max(len(words) - SHINGLE + 1, 1)):
            where.setdefault(tuple(words[start : start + SHINGLE]), index)
    added: dict[int, list[str]] = {}
    anchor = -1
    for text, kept, score in zip(texts, covered, scores, strict=True):
        if kept:
            words = TOKEN.findall(text)
            for start in range(max(len(words) - SHINGLE + 1, 1)):
                found = where.get(tuple(words[start : start + SHINGLE]))
                if found is not None:
                    anchor = max(anchor, found)
                    break
        elif score >= threshold:
            added.setdefault(anchor, []).append(text)
    merged = list(added.get(-1, ()))
    for index, line in enumerate(lines):
        merged.append(line)
        merged.extend(added.get(index, ()))
    return merged


class ModelError(Exception):
    """A model file that cannot be used: missing, not a model, or made for other code."""


@dataclass(frozen=True, eq=False)
class BlockScore:
    """One block of a page as the model sees it: its text, its score, whether it is kept, the features
    that moved its score most (name, value, change of score when the feature is set to its training
    median), and whether newsclean's own reading holds it (`own`: kept whatever its score; a kept block
    that is not `own` is one the model added)."""

    text: str
    score: float
    kept: bool
    top: tuple[tuple[str, float, float], ...] = ()
    own: bool = False


class PageModel:
    """A fitted classifier's trees and what they need to be used: their features' readings and names,
    the threshold, and the header they were saved with."""

    def __init__(self, forest: Forest, header: dict[str, Any]) -> None:
        self.forest = forest
        self.header = header
        self.readings: tuple[str, ...] = tuple(header["readings"])
        self.features: tuple[str, ...] = tuple(header["features"])
        self.threshold = float(header["threshold"])
        self.medians = np.asarray(header.get("medians") or [0.0] * len(self.features), dtype=np.float32)
        # A fit is deterministic: the header (training data and its digests, code, settings, threshold,
        # the features' medians) names the trees; models compare and hash by it.
        self._identity = json.dumps(header, sort_keys=True)

    def __repr__(self) -> str:
        return f"PageModel({self.header.get('name', '?')}, threshold={self.threshold:g})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PageModel) and self._identity == other._identity

    def __hash__(self) -> int:
        return hash(self._identity)

    def scores(self, page: PageReading) -> np.ndarray:
        """Each block's probability of being main content."""
        rows = features(page, self.readings)
        if not len(rows):
            return np.zeros(0)
        return np.asarray(self.forest.probabilities(rows))

    def read(self, page: PageReading) -> Sequence[str]:
        """The page's main content: newsclean's own lines, and the blocks they leave out that score at
        least the threshold, each put after the line that holds the block before it."""
        rows = features(page, self.readings)
        if not len(rows):
            return list(page.readings.get("newsclean", ()))
        scores = np.asarray(self.forest.probabilities(rows))
        covered = rows[:, self.features.index("in_newsclean")] >= COVERED
        texts = [block.text for block in page.blocks]
        return merge(
            page.readings.get("newsclean", ()), texts, covered.tolist(), scores.tolist(), self.threshold
        )

    def explain(self, page: PageReading, top: int = 3) -> list[BlockScore]:
        """Each block's score and the `top` features that moved it most (each feature in turn set to
        its training median, all blocks at once)."""
        rows = features(page, self.readings)
        if not len(rows):
            return []
        scores = np.asarray(self.forest.probabilities(rows))
        covered = rows[:, self.features.index("in_newsclean")] >= COVERED
        effects = np.zeros_like(rows)
        for column in range(rows.shape[1]):
            changed = rows.copy()
            changed[:, column] = self.medians[column]
            effects[:, column] = scores - self.forest.probabilities(changed)
        found = []
        for index, block in enumerate(page.blocks):
            order = np.argsort(-np.abs(effects[index]))[:top]
            named = tuple(
                (self.features[c], float(rows[index, c]), float(effects[index, c]))
                for c in order
                if effects[index, c]
            )
            own = bool(covered[index])
            kept = own or bool(scores[index] >= self.threshold)
            found.append(BlockScore(block.text, float(scores[index]), kept, named, own))
        return found


def save_model(model: PageModel, path: Path) -> None:
    """Write the model file: its header line, then its trees (written whole to a temporary file first,
    then renamed)."""
    header = json.dumps(model.header, sort_keys=True, ensure_ascii=True)
    temporary = path.with_name(path.name + ".part")
    temporary.write_bytes(header.encode("ascii") + b"\n" + model.forest.to_bytes())
    temporary.replace(path)


def read_header(path: Path) -> dict[str, Any]:
    """A model file's header; ModelError when the file is missing or not a model file."""
    try:
        with path.open("rb") as handle:
            line = handle.readline(1 << 20)
    except OSError as error:
        raise ModelError(f"cannot read the model {path}: {error.strerror or error}") from error
    try:
        header = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError):
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelError(f"{path} is not a newsclean page model (made by `newsclean train`)")
    return header


def load_model(path: Path | str) -> PageModel:
    """The model in a file; ModelError when it cannot be used. A file is loaded once per process."""
    return _load(str(Path(path).resolve()))


@lru_cache(maxsize=8)
def _load(path: str) -> PageModel:
    header = read_header(Path(path))
    if list(header.get("features", ())) != feature_names(header.get("readings", ())):
        raise ModelError(f"{path} was made for other features than this newsclean's: train it again")
    with Path(path).open("rb") as handle:
        handle.readline(1 << 20)
        data = handle.read()
    try:
        forest = Forest.from_bytes(data)
    except ValueError as error:
        raise ModelError(f"{path}: the model's trees cannot be read ({error})") from error
    return PageModel(forest, header)


# The `--model` value (and NEWSCLEAN_MODEL) that reads pages without a page model.
NO_MODEL = "none"


def chosen_model(value: str | None) -> PageModel | None:
    """The model a `--model` option or NEWSCLEAN_MODEL names: None (not given) is the default model,
    `none` is no model, anything else a model file (ModelError when it cannot be used)."""
    if value is None or not value.strip():
        return default_model()
    if value.strip().lower() == NO_MODEL:
        return None
    return load_model(value)


def default_model() -> PageModel | None:
    """The shipped model when it is used by default, else None."""
    return load_model(SHIPPED) if SHIPPED_BY_DEFAULT else None


__all__ = [
    "NO_MODEL",
    "SHIPPED",
    "SHIPPED_BY_DEFAULT",
    "BlockScore",
    "ModelError",
    "PageModel",
    "chosen_model",
    "default_model",
    "load_model",
    "merge",
    "read_header",
    "save_model",
]
