"""A fitted gradient boosted classifier as plain arrays, and its prediction in numpy.

scikit-learn fits the model; what is saved and run is its trees, as arrays: a model file holds no pickle
(loading runs no code from the file), loads with any scikit-learn (or none), and predicts a page's blocks
in one vectorised walk of every tree at once. scikit-learn's own prediction makes one OpenMP call per
tree: with 100 trees that cost 60 ms a page on the 2-core machine, against well under 1 ms here.

Read from scikit-learn 1.9.1 (pyproject.toml pins `scikit-learn>=1.9,<1.10`), private names:
`HistGradientBoostingClassifier._predictors` (per boosting round, per class, a `TreePredictor` whose
`nodes` structured array has `value`, `feature_idx`, `num_threshold`, `left`, `right`, `is_leaf`) and
`_baseline_prediction`, the raw score every tree's value adds to. The classifier is fitted with numeric
features only (no categorical splits) and without missing values, so a node sends a row left when its
value is at most `num_threshold`, as scikit-learn's `_predict_one_from_raw_data` does.
`tests/test_model.py` checks that both give the same probabilities.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

import numpy as np

_ARRAYS = ("feature", "threshold", "left", "right", "leaf", "value", "roots", "baseline")


@dataclass(frozen=True, eq=False)
class Forest:
    """Every tree's nodes in one set of arrays (node indices are global), the trees' roots, and the
    baseline raw score."""

    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    leaf: np.ndarray
    value: np.ndarray
    roots: np.ndarray
    baseline: np.ndarray

    @classmethod
    def of(cls, classifier: Any) -> Forest:
        """The trees of a fitted binary HistGradientBoostingClassifier (numeric features only)."""
        parts: dict[str, list[np.ndarray]] = {name: [] for name in _ARRAYS[:-2]}
        roots = []
        offset = 0
        for round_ in classifier._predictors:
            (tree,) = round_
            nodes = tree.nodes
            if nodes["is_categorical"].any():
                raise ValueError("a categorical split: the page model's trees are numeric only")
            roots.append(offset)
            parts["feature"].append(nodes["feature_idx"].astype(np.int32))
            parts["threshold"].append(nodes["num_threshold"].astype(np.float64))
            parts["left"].append(nodes["left"].astype(np.int32) + offset)
            parts["right"].append(nodes["right"].astype(np.int32) + offset)
            parts["leaf"].append(nodes["is_leaf"].astype(bool))
            parts["value"].append(nodes["value"].astype(np.float64))
            offset += len(nodes)
        baseline = np.asarray(classifier._baseline_prediction, dtype=np.float64).reshape(-1)[:1]
        joined = {name: np.concatenate(values) for name, values in parts.items()}
        return cls(**joined, roots=np.asarray(roots, dtype=np.int32), baseline=baseline)

    @classmethod
    def constant(cls, probability: float) -> Forest:
        """One leaf: the same probability for every row (training blocks of one class only)."""
        clipped = min(max(probability, 1e-6), 1 - 1e-6)
        zero = np.zeros(1, dtype=np.int32)
        return cls(
            feature=zero,
            threshold=np.zeros(1),
            left=zero,
            right=zero,
            leaf=np.ones(1, dtype=bool),
            value=np.zeros(1),
            roots=zero,
            baseline=np.array([np.log(clipped / (1 - clipped))]),
        )

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """Each row's probability of the positive class."""
        data = np.asarray(rows, dtype=np.float64)
        count = len(data)
        if not count:
            return np.zeros(0)
        at = np.broadcast_to(self.roots, (count, len(self.roots))).copy()
        which = np.arange(count)[:, None]
        while True:
            inner = ~self.leaf[at]
            if not inner.any():
                break
            goes_left = data[which, self.feature[at]] <= self.threshold[at]
            step = np.where(goes_left, self.left[at], self.right[at])
            at = np.where(inner, step, at)
        raw = self.baseline[0] + self.value[at].sum(axis=1)
        return np.asarray(1.0 / (1.0 + np.exp(-raw)))

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **{name: getattr(self, name) for name in _ARRAYS})
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Forest:
        """ValueError when the bytes are not a saved forest."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
                return cls(**{name: np.asarray(arrays[name]) for name in _ARRAYS})
        except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile) as error:
            raise ValueError(f"not a saved forest ({error})") from error
