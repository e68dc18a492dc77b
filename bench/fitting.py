"""What a leave-one-set-out run fits on its training sets: a registry of fittable choices.

Leave-one-set-out: for each dev set held out, everything learned or chosen (a model, a threshold, a default)
is fitted on the other sets only, then the held-out set is scored with what was fitted. A choice is a
`Fittable`: `fit(training, config)` returns the chosen value from the training sets (the pages and gold of
each, and a scorer that runs a configuration over them), given the configuration fitted so far; `apply`
puts that value into the configuration. The registry is fitted in its order, each choice on top of the
ones before it.

The registry holds newsclean's yes-or-no choices. First its extraction settings: each boolean of
`ExtractOptions` that `bench/quality.py --ablate` turns over, fitted greedily one at a time (the value with
the better macro-average F1 on the training sets; a tie keeps the value in hand, so the fit is
deterministic). Then each removal family (pipeline/rules/families.py), on or off, its page and text rules
together (`Config.disabled_families`), fitted greedily in the families' order. A family is fitted from the
records of one run, not by running the pages again: the training sets' records of the configuration fitted
so far (every family on), with the removals of the families turned off put back (`restored_text`: a text
rule's removed line at its place, a page rule's cut block's text after the text). That is exact for a text
family alone and an approximation for a page family (a block not cut may still be left out by the
extraction, or change what it takes); the held-out set is then scored with a real run of the fitted
configuration. A learned component joins the same way, e.g. a page model whose `train` takes pages and
gold texts and whose model `Config` carries:

    Fittable("page-model", fit=lambda training, config: train(training.sets), apply=with_model)
"""

from __future__ import annotations

import os
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, Protocol

from pipeline import Config
from pipeline.extract import ExtractOptions
from pipeline.rules import FAMILIES, PAGE_RULES, TEXT_RULES

# Options that are not tuning knobs: the comments setting is the policy's, the public API gives the same
# text, the date search leaves the text alone, the pruned XPaths are not a yes-or-no setting.
NOT_TUNED = frozenset({"include_comments", "public_api", "extensive_date_search", "prune_xpath"})


class Scorer(Protocol):
    def __call__(self, config: Config, set_name: str) -> float:
        """The F1 of newsclean with this configuration on one dev set."""


class Replayer(Protocol):
    def __call__(self, config: Config, set_name: str, restored: frozenset[str]) -> float:
        """The F1 on one dev set of newsclean's records of this configuration, with the removals of the
        `restored` families put back (`restored_text`)."""


@dataclass(frozen=True)
class Training:
    """A fold's training data: the dev sets it may learn from (any value with their pages and gold), a
    scorer of configurations and a replayer of their records, asked about these sets only."""

    sets: Mapping[str, Any]
    score: Scorer
    replay: Replayer | None = None

    def macro_f1(self, config: Config) -> float:
        """The mean over the training sets of a configuration's F1."""
        return statistics.fmean(self.score(config, name) for name in self.sets)

    def replayed_f1(self, config: Config, restored: frozenset[str]) -> float:
        """The mean over the training sets of the F1 of a configuration's records, these families' removals
        put back (without a replayer: the configuration's own F1, which leaves every family as it is)."""
        replay = self.replay
        if replay is None:
            return self.macro_f1(config)
        return statistics.fmean(replay(config, name, restored) for name in self.sets)


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


def tuned_families() -> list[str]:
    """The removal families with a page or text rule of the registry, in the families' order (the
    template family's rule is learned by a run, not a default)."""
    ruled = {rule.family for rule in (*PAGE_RULES, *TEXT_RULES)}
    return [family.value for family in FAMILIES if family in ruled]


def restored_text(record: Mapping[str, Any], families: frozenset[str]) -> str:
    """A record's text with the removals of these families put back: a text rule's removal as a line before
    the kept paragraph it was cut at (`at`), a page rule's cut block (no `at`) after the text."""
    lines = record["text"].split("\n") if record["text"] else []
    before: dict[int, list[str]] = defaultdict(list)
    after: list[str] = []
    for removal in record["removed"]:
        if removal["family"] in families:
            if removal["at"] is None:
                after.append(removal["text"])
            else:
                before[removal["at"]].append(removal["text"])
    out: list[str] = []
    for index, line in enumerate(lines):
        out.extend(before.pop(index, ()))
        out.append(line)
    for index in sorted(before):
        out.extend(before[index])
    return "\n".join(out + after)


def with_family(config: Config, name: str, on: bool) -> Config:
    off = config.disabled_families - {name} if on else config.disabled_families | {name}
    return replace(config, disabled_families=frozenset(off))


def family(name: str) -> Fittable:
    """A removal family as a fittable choice: on or off, whichever gives the better macro F1 on the training
    sets' records of the configuration fitted so far with every family on, the families turned off so far
    and this one (when off) put back; on when they tie."""

    def fit(training: Training, config: Config) -> bool:
        base = replace(config, disabled_families=frozenset())
        restored = config.disabled_families
        on = name not in restored
        flipped = restored | {name} if on else restored - {name}
        better = training.replayed_f1(base, frozenset(flipped)) > training.replayed_f1(base, restored)
        return not on if better else on

    return Fittable(
        f"family:{name}",
        fit,
        lambda config, on: with_family(config, name, on),
        lambda config: name not in config.disabled_families,
    )


def _train_page_model(training: Training, config: Config) -> Any:
    """The page model fitted on the training sets' pages alone (read with the default reading, their
    features cached in output/model-cache by bench/model_loso.py), at the shipped model's threshold."""
    from model_loso import load_samples

    from pipeline.model import SHIPPED, read_header
    from pipeline.model.train import train_model

    names = sorted(training.sets)
    jobs = min(2, os.cpu_count() or 1)
    read = {name: load_samples(name, jobs=jobs) for name in names}
    return train_model(
        {name: part.labelled for name, part in read.items()},
        {name: part.samples for name, part in read.items()},
        float(read_header(SHIPPED)["threshold"]),
        name=f"page model fitted on {', '.join(names)}",
    )


def page_model() -> Fittable:
    """The page model as a fittable choice: trained on the training sets, never on the held-out one. A fold
    starts without a model (`START`), so the settings and families are fitted without one, and a fold that
    does not fit the model reads pages without one: the shipped model has seen every set."""
    return Fittable(
        "page-model",
        _train_page_model,
        lambda config, model: replace(config, model=model),
        lambda config: repr(config.model),
    )


# Where every fold starts: the defaults, without the shipped page model (fitted on every dev set).
START = Config(model=None)


def registry() -> tuple[Fittable, ...]:
    """Every choice a fold fits, in order: the extraction settings, the removal families, then the page
    model."""
    return (
        *(setting(name) for name in tuned_settings()),
        *(family(name) for name in tuned_families()),
        page_model(),
    )


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
    sets: Mapping[str, Any],
    held_out: str,
    score: Scorer,
    fittables: tuple[Fittable, ...],
    start: Config,
    replay: Replayer | None = None,
) -> Fold:
    """The fold that holds one set out, fitted on the others only (`sets`: each dev set by name)."""
    training = Training({name: data for name, data in sets.items() if name != held_out}, score, replay)
    config, chosen = fit_fold(training, fittables, start)
    return Fold(held_out, config, chosen)


def folds(
    sets: Mapping[str, Any],
    score: Scorer,
    fittables: tuple[Fittable, ...],
    start: Config | None = None,
    replay: Replayer | None = None,
) -> Iterator[Fold]:
    """One fold for each set held out."""
    for held_out in sets:
        yield fold(sets, held_out, score, fittables, start or START, replay)
