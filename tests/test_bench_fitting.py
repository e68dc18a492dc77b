"""The leave-one-set-out protocol of bench/quality.py --loso (bench/fitting.py): each fold fits its choices on
the other sets only, greedily, one at a time, deterministically."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from pipeline import Config
from pipeline.extract import ExtractOptions

from .conftest import ROOT


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_fitting", ROOT / "bench" / "fitting.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


fitting = _load()
SETS = {"a": "pages of a", "b": "pages of b", "c": "pages of c"}


class Scorer:
    """F1 by set from a rule over the extraction settings; records every (settings, set) it is asked."""

    def __init__(self, rule: Callable[[ExtractOptions, str], float]) -> None:
        self.rule = rule
        self.asked: list[tuple[ExtractOptions, str]] = []

    def __call__(self, config: Config, set_name: str) -> float:
        self.asked.append((config.extract, set_name))
        return self.rule(config.extract, set_name)


def _fold(scorer: Scorer, fittables: tuple[Any, ...], held_out: str) -> Any:
    return fitting.fold(SETS, held_out, scorer, fittables, Config())


def test_a_setting_takes_the_value_with_the_better_training_f1() -> None:
    scorer = Scorer(lambda options, name: 0.9 if options.favor_recall else 0.8)
    fold = _fold(scorer, (fitting.setting("favor_recall"),), "a")
    assert fold.chosen == {"favor_recall": True}
    assert fold.config.extract.favor_recall is True


def test_a_tie_keeps_the_value_in_hand() -> None:
    scorer = Scorer(lambda options, name: 0.8)
    fold = _fold(scorer, (fitting.setting("entries"),), "a")
    assert fold.chosen == {"entries": ExtractOptions().entries}
    assert fold.config == Config()


def test_the_held_out_set_is_never_scored_while_fitting() -> None:
    scorer = Scorer(lambda options, name: 0.9 if options.favor_precision == (name == "b") else 0.8)
    fold = _fold(scorer, fitting.registry(), "b")
    assert fold.held_out == "b"
    assert {name for _, name in scorer.asked} == {"a", "c"}


def test_every_set_is_held_out_once() -> None:
    scorer = Scorer(lambda options, name: 0.8)
    assert [fold.held_out for fold in fitting.folds(SETS, scorer, fitting.registry())] == list(SETS)


@pytest.mark.parametrize(("held_out", "chosen"), [("a", False), ("b", True), ("c", True)])
def test_each_fold_fits_on_the_other_sets_only(held_out: str, chosen: bool) -> None:
    # favor_recall helps much on a and hurts a little on b and c: the folds that train on a turn it on,
    # the fold that holds a out does not.
    gains = {"a": 0.3, "b": -0.1, "c": -0.1}
    scorer = Scorer(lambda options, name: 0.5 + (gains[name] if options.favor_recall else 0.0))
    fold = _fold(scorer, (fitting.setting("favor_recall"),), held_out)
    assert fold.chosen["favor_recall"] is chosen


def test_settings_are_fitted_one_at_a_time_on_top_of_the_ones_before() -> None:
    # Turning `entries` off helps only once favor_recall is on: fitted after it, it is turned off.
    def rule(options: ExtractOptions, name: str) -> float:
        return 0.5 + 0.1 * options.favor_recall + 0.1 * (options.favor_recall and not options.entries)

    in_order = (fitting.setting("favor_recall"), fitting.setting("entries"))
    assert _fold(Scorer(rule), in_order, "a").chosen == {"favor_recall": True, "entries": False}
    reversed_order = (fitting.setting("entries"), fitting.setting("favor_recall"))
    assert _fold(Scorer(rule), reversed_order, "a").chosen == {"entries": True, "favor_recall": True}


def test_the_registry_holds_the_yes_or_no_extraction_settings_that_are_tuning_knobs() -> None:
    names = [fittable.name for fittable in fitting.registry()]
    defaults = ExtractOptions()
    assert names and all(isinstance(getattr(defaults, name), bool) for name in names)
    assert not set(names) & fitting.NOT_TUNED


def test_a_learned_choice_is_fitted_from_the_training_sets() -> None:
    # A stand-in for a model's train(): what it learns is which sets it was given.
    learned = fitting.Fittable(
        "model", fit=lambda training, config: sorted(training.sets), apply=lambda c, v: c
    )
    fold = _fold(Scorer(lambda options, name: 0.5), (learned,), "c")
    assert fold.chosen == {"model": ["a", "b"]}
