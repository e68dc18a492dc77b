"""`clean --site-templates`: a first run learns the paragraphs each site repeats across its articles, the
run proper removes them under the rule `site-template`."""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.cli.common import EXIT_OK, CommandFailed, UsageError

if TYPE_CHECKING:
    from pipeline.rules.text.templates import SiteTemplates


def add_to_clean(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--site-templates",
        action="store_true",
        help="run twice: learn the paragraphs each site repeats across 3 or more of its different articles, "
        "then remove them (rule site-template)",
    )
    parser.set_defaults(func=learning_first(parser.get_default("func")))


def learning_first(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run_learning_first(args: argparse.Namespace) -> int:
        if not args.site_templates:
            return run(args)
        if args.resume or args.engine != "local":
            raise UsageError("--site-templates learns from a whole local run: no --resume, no --engine")
        with tempfile.TemporaryDirectory(prefix="newsclean-templates-") as folder:
            first = Path(folder) / "first.jsonl"
            settings = {"output": str(first), "format": "jsonl", "quiet": True, "no_progress": True}
            status = run(
                argparse.Namespace(**{**vars(args), **settings, "dedup": False, "site_templates": False})
            )
            if status != EXIT_OK:
                return status
            learned = _learn(first)
        if not args.quiet:
            print(
                f"site templates: {learned.paragraph_count} paragraphs of {len(learned.sites)} sites, "
                f"each in {learned.min_articles} or more different articles",
                file=sys.stderr,
            )
        return run(argparse.Namespace(**{**vars(args), "learned_templates": learned}))

    return run_learning_first


def _learn(records_file: Path) -> SiteTemplates:
    from pipeline.corpus.dedup import read_all
    from pipeline.corpus.templates import learn_templates

    try:
        return learn_templates(read_all([records_file]))
    except (OSError, ValueError) as error:
        raise CommandFailed("clean", f"cannot learn site templates: {error}") from error
