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


# The registry's choices scored by a Scorer (the page model is trained on real pages, not scored).
SCORED = tuple(fittable for fittable in fitting.registry() if fittable.name != "page-model")


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
    fold = _fold(scorer, SCORED, "b")
    assert fold.held_out == "b"
    assert {name for _, name in scorer.asked} == {"a", "c"}


def test_every_set_is_held_out_once() -> None:
    scorer = Scorer(lambda options, name: 0.8)
    assert [fold.held_out for fold in fitting.folds(SETS, scorer, SCORED)] == list(SETS)


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


def test_the_registry_holds_the_yes_or_no_extraction_settings_then_the_removal_families() -> None:
    names = [fittable.name for fittable in fitting.registry()]
    settings = [name for name in names if not name.startswith("family:") and name != "page-model"]
    defaults = ExtractOptions()
    assert settings and all(isinstance(getattr(defaults, name), bool) for name in settings)
    assert not set(settings) & fitting.NOT_TUNED
    families = names[len(settings) : -1]
    assert families == [f"family:{name}" for name in fitting.tuned_families()]
    assert names[-1] == "page-model"  # fitted last, on top of the settings and families
    # Every family a rule of the registry belongs to; the template family's rule is learned by a run.
    assert "family:chrome" in families and "family:template" not in families


RECORD = {
    "text": "First kept.\nSecond kept.",
    "removed": [
        {"rule": "navigation-menu", "family": "chrome", "text": "Home News", "at": None},
        {"rule": "date-line", "family": "timestamp", "text": "May 1, 2024", "at": 0},
        {"rule": "see-also-link", "family": "related-link", "text": "See also: X", "at": 1},
        {"rule": "copyright-line", "family": "trailer", "text": "(c) Site", "at": 2},
    ],
}


def test_restored_text_puts_a_text_familys_lines_back_at_their_places() -> None:
    assert fitting.restored_text(RECORD, frozenset()) == "First kept.\nSecond kept."
    restored = fitting.restored_text(RECORD, frozenset({"timestamp", "related-link", "trailer"}))
    assert restored == "May 1, 2024\nFirst kept.\nSee also: X\nSecond kept.\n(c) Site"


def test_restored_text_puts_a_page_familys_cut_blocks_after_the_text() -> None:
    assert fitting.restored_text(RECORD, frozenset({"chrome"})) == "First kept.\nSecond kept.\nHome News"


class Replayer:
    """F1 by set from a rule over the families put back; records every configuration it is asked about."""

    def __init__(self, rule: Callable[[frozenset[str], str], float]) -> None:
        self.rule = rule
        self.configs: list[Config] = []

    def __call__(self, config: Config, set_name: str, restored: frozenset[str]) -> float:
        self.configs.append(config)
        return self.rule(restored, set_name)


def test_a_family_is_turned_off_when_putting_its_removals_back_scores_better() -> None:
    replay = Replayer(lambda restored, name: 0.9 if "byline" in restored else 0.8)
    fittables = (fitting.family("byline"), fitting.family("chrome"))
    fold = fitting.fold(SETS, "a", Scorer(lambda options, name: 0.5), fittables, Config(), replay)
    assert fold.chosen == {"family:byline": False, "family:chrome": True}
    assert fold.config.disabled_families == frozenset({"byline"})
    # Fitted on the records of the configuration with every family on: no run per family.
    assert {config.disabled_families for config in replay.configs} == {frozenset()}


def test_a_family_tie_keeps_it_on_and_families_are_fitted_on_top_of_the_ones_before() -> None:
    # Putting chrome back helps only once byline's removals are back too.
    replay = Replayer(lambda restored, name: 0.8 + 0.1 * (restored == frozenset({"byline", "chrome"})))
    fold = fitting.fold(
        SETS, "c", Scorer(lambda options, name: 0.5), (fitting.family("chrome"),), Config(), replay
    )
    assert fold.chosen == {"family:chrome": True}
    in_order = (fitting.family("byline"), fitting.family("chrome"))
    replay = Replayer(
        lambda restored, name: (
            {"byline": 0.85}.get(",".join(sorted(restored)), 0.8)
            + 0.1 * (restored == frozenset({"byline", "chrome"}))
        )
    )
    fold = fitting.fold(SETS, "c", Scorer(lambda options, name: 0.5), in_order, Config(), replay)
    assert fold.chosen == {"family:byline": False, "family:chrome": False}


def test_a_family_turned_off_stops_its_page_and_text_rules() -> None:
    config = Config(disabled_families=frozenset({"chrome"}))
    rules = (*config.active_page_rules, *config.active_text_rules)
    assert rules and all(rule.family != "chrome" for rule in rules)
    assert len(rules) < len((*Config().active_page_rules, *Config().active_text_rules))
    with pytest.raises(ValueError, match="famil"):
        Config(disabled_families=frozenset({"no-such-family"}))


def test_a_learned_choice_is_fitted_from_the_training_sets() -> None:
    # A stand-in for a model's train(): what it learns is which sets it was given.
    learned = fitting.Fittable(
        "model", fit=lambda training, config: sorted(training.sets), apply=lambda c, v: c
    )
    fold = _fold(Scorer(lambda options, name: 0.5), (learned,), "c")
    assert fold.chosen == {"model": ["a", "b"]}


def test_a_fold_starts_without_the_shipped_page_model_which_has_seen_every_set() -> None:
    assert fitting.START.model is None
    (first, *_) = fitting.folds(SETS, Scorer(lambda options, name: 0.5), ())
    assert first.config.model is None
