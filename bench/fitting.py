"""What a leave-one-set-out run fits on its training sets: a registry of fittable choices.

Leave-one-set-out: for each dev set held out, everything learned or chosen (a model, a threshold, a default)
is fitted on the other sets only, then the held-out set is scored with what was fitted. A choice is a
`Fittable`: `fit(training, config)` returns the chosen value from the training sets (the pages and gold of
each, and a scorer that runs a configuration over them), given the configuration fitted so far; `apply`
puts that value into the configuration. The registry is fitted in its order, each choice on top of the
ones before it.

Today newsclean learns nothing, so the registry holds its extraction settings: each boolean of
`ExtractOptions` that `bench/quality.py --ablate` turns over, fitted greedily one at a time (the value with
the better macro-average F1 on the training sets; a tie keeps the value in hand, so the fit is
deterministic). A learned component joins the same way, e.g. a page model whose `train` takes pages and
gold texts and whose model `Config` carries:

    Fittable("page-model", fit=lambda training, config: train(training.sets), apply=with_model)
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, Protocol

from pipeline import Config
from pipeline.extract import ExtractOptions

# Options that are not tuning knobs: the comments setting is the policy's, the public API gives the same
# text, the date search leaves the text alone, the pruned XPaths are not a yes-or-no setting.
NOT_TUNED = frozenset({"include_comments", "public_api", "extensive_date_search", "prune_xpath"})


class Scorer(Protocol):
    def __call__(self, config: Config, set_name: str) -> float:
        """The F1 of newsclean with this configuration on one dev set."""


@dataclass(frozen=True)
class Training:
    """A fold's training data: the dev sets it may learn from (any value with their pages and gold), and
    a scorer of configurations, asked about these sets only."""

    sets: Mapping[str, Any]
    score: Scorer

    def macro_f1(self, config: Config) -> float:
        """The mean over the training sets of a configuration's F1."""
        return statistics.fmean(self.score(config, name) for name in self.sets)


@dataclass(frozen=True)
class Fittable:
    """A choice fitted on the training sets and applied to the configuration the held-out set is run with."""

    name: str
    fit: Callable[[Training, Config], Any]
    apply: Callable[[Config, Any], Config]
    # The value the default configuration holds, for the table of choices.
    default: Callable[[Config], Any] = lambda config: None


def tuned_settings() -> list[str]:
    """The yes-or-no extraction settings, in the order ExtractOptions declares them."""
    defaults = ExtractOptions()
    return [
        option.name
        for option in fields(ExtractOptions)
        if isinstance(getattr(defaults, option.name), bool) and option.name not in NOT_TUNED
    ]


def with_setting(config: Config, name: str, value: Any) -> Config:
    return replace(config, extract=replace(config.extract, **{name: value}))


def setting(name: str) -> Fittable:
    """An extraction setting as a fittable choice: of its two values, the one with the better macro F1 on
    the training sets, the others as fitted so far; the value in hand on a tie."""

    def fit(training: Training, config: Config) -> bool:
        current = bool(getattr(config.extract, name))
        flipped = training.macro_f1(with_setting(config, name, not current))
        return not current if flipped > training.macro_f1(config) else current

    return Fittable(
        name,
        fit,
        lambda config, value: with_setting(config, name, value),
        lambda config: getattr(config.extract, name),
    )


def registry() -> tuple[Fittable, ...]:
    """Every choice a fold fits, in order."""
    return tuple(setting(name) for name in tuned_settings())


@dataclass(frozen=True)
class Fold:
    held_out: str
    config: Config
    chosen: dict[str, Any]


def fit_fold(
    training: Training, fittables: tuple[Fittable, ...], start: Config
) -> tuple[Config, dict[str, Any]]:
    """The configuration fitted on the training sets, and each choice's value."""
    config, chosen = start, {}
    for fittable in fittables:
        value = fittable.fit(training, config)
        config = fittable.apply(config, value)
        chosen[fittable.name] = value
    return config, chosen


def fold(
    sets: Mapping[str, Any], held_out: str, score: Scorer, fittables: tuple[Fittable, ...], start: Config
) -> Fold:
    """The fold that holds one set out, fitted on the others only (`sets`: each dev set by name)."""
    training = Training({name: data for name, data in sets.items() if name != held_out}, score)
    config, chosen = fit_fold(training, fittables, start)
    return Fold(held_out, config, chosen)


def folds(
    sets: Mapping[str, Any], score: Scorer, fittables: tuple[Fittable, ...], start: Config | None = None
) -> Iterator[Fold]:
    """One fold for each set held out."""
    for held_out in sets:
        yield fold(sets, held_out, score, fittables, start or Config())
