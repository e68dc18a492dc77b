"""Site templates on the command line: `clean --site-templates` (a first run learns the paragraphs each
site repeats across its articles, the run proper removes them under the rule `site-template`),
`--save-templates FILE` and `--templates FILE` (apply saved ones), and `newsclean templates learn|show`."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.cli.common import EXIT_OK, CommandFailed, UsageError, positive

if TYPE_CHECKING:
    from pipeline.rules.text.templates import SiteTemplates


def add_to_clean(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--site-templates",
        action="store_true",
        help="run twice: learn the paragraphs each site repeats across 3 or more of its different articles, "
        "then remove them (rule site-template)",
    )
    parser.add_argument(
        "--save-templates",
        metavar="FILE",
        help="with --site-templates: save what was learned to FILE (`newsclean templates show FILE`)",
    )
    parser.add_argument(
        "--templates",
        metavar="FILE",
        help="remove the template paragraphs of a saved templates file (rule site-template): no first run",
    )
    parser.set_defaults(func=learning_first(parser.get_default("func")))


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "templates",
        help="learn, save and show site templates",
        description="Site templates are the paragraphs a site repeats across its different articles. "
        "`learn` finds them in records files of `clean` or `crawl` and saves them to a templates file; "
        "`show` lists a file's sites and paragraphs with their support; `clean --templates FILE` removes "
        "them from other pages of the same sites.",
        epilog="exit status: 0 done; 1 a records file cannot be read or the templates file not written; "
        "2 usage error (including a missing input, or a file that is not a templates file).",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    learn = actions.add_parser(
        "learn",
        help="learn site templates from records files",
        description="Learn, per site, the paragraphs of 3 words or more that stand in --min-articles or more "
        "of its different records (copies of one article counting once) from records files of `clean` or "
        "`crawl` (JSON lines, Parquet, shard folders), and save them.",
    )
    learn.add_argument(
        "inputs", nargs="+", metavar="RECORDS", type=Path, help="records files or shard folders"
    )
    learn.add_argument("-o", "--output", required=True, type=Path, help="the templates file to write")
    learn.add_argument(
        "--min-articles",
        type=positive,
        default=3,
        metavar="N",
        help="a template stands in N or more of the site's different articles (default 3)",
    )
    learn.add_argument("-q", "--quiet", action="store_true", help="no summary")
    learn.set_defaults(func=run_learn)
    show = actions.add_parser(
        "show",
        help="list a templates file's sites and paragraphs",
        description="Per site, its pages learned from, then each template paragraph with its support: "
        "n/N, on n of the site's N pages.",
    )
    show.add_argument("file", type=Path, metavar="FILE", help="a templates file")
    show.set_defaults(func=run_show)


def learning_first(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run_learning_first(args: argparse.Namespace) -> int:
        if args.save_templates and not args.site_templates:
            raise UsageError("--save-templates keeps what --site-templates learns: give both")
        if args.templates:
            if args.site_templates:
                raise UsageError(
                    "give --templates FILE (saved templates) or --site-templates (learn them), not both"
                )
            return run(argparse.Namespace(**{**vars(args), "learned_templates": load(Path(args.templates))}))
        if not args.site_templates:
            return run(args)
        if args.save_templates:
            check_target(Path(args.save_templates), args.output)
        if args.resume:
            raise UsageError(
                "--site-templates learns from a whole run: no --resume (save them with --save-templates "
                "FILE, then resume with --templates FILE)"
            )
        status, learned = _first_run(run, args)
        if learned is None:
            return status
        if args.save_templates:
            _save(learned, Path(args.save_templates), "clean")
        if not args.quiet:
            saved = f"; saved to {args.save_templates}" if args.save_templates else ""
            print(f"site templates: {_summary(learned)}{saved}", file=sys.stderr)
        return run(argparse.Namespace(**{**vars(args), "learned_templates": learned}))

    return run_learning_first


def _first_run(
    run: Callable[[argparse.Namespace], int], args: argparse.Namespace
) -> tuple[int, SiteTemplates | None]:
    """The first run, with the same engine and workers, to a temporary records output, and what is learned
    from it. A Dask run's shards go beside the output, where the workers write (a shared file system)."""
    beside = args.engine != "local" and args.output != "-"
    where = os.path.dirname(os.path.abspath(args.output)) if beside else None
    if where is not None:
        try:
            os.makedirs(where, exist_ok=True)  # as the run would make it for its shards
        except OSError as error:
            raise CommandFailed(
                "clean", f"cannot write beside {args.output}: {error.strerror or error}"
            ) from error
    with tempfile.TemporaryDirectory(prefix="newsclean-templates-", dir=where) as folder:
        first = Path(folder) / "first.jsonl"
        settings = {"output": str(first), "format": "jsonl", "quiet": True, "no_progress": True}
        status = run(
            argparse.Namespace(**{**vars(args), **settings, "dedup": False, "site_templates": False})
        )
        if status != EXIT_OK:
            return status, None
        return status, _learn([first if first.exists() else first.with_suffix("")], "clean")


def check_target(path: Path, *others: str) -> None:
    """A usage error when saving templates to `path` would destroy a file: one that is not a templates file,
    or the run's output."""
    from pipeline.corpus.templates import TemplatesFileError
    from pipeline.corpus.templates import check_target as check

    if any(other != "-" and os.path.abspath(other) == os.path.abspath(path) for other in others):
        raise UsageError(f"{path} is the run's output: save the templates to a file of their own")
    try:
        check(path)
    except TemplatesFileError as error:
        raise UsageError(str(error)) from error


def _summary(learned: SiteTemplates) -> str:
    return (
        f"{learned.paragraph_count} paragraphs of {len(learned.sites)} sites, each in "
        f"{learned.min_articles} or more different articles"
    )


def _learn(paths: list[Path], command: str, min_articles: int = 3) -> SiteTemplates:
    from pipeline.corpus.dedup import read_all
    from pipeline.corpus.templates import learn_templates
    from pipeline.writers.read import shards

    files = []
    try:
        for path in paths:
            files += shards(path) if path.is_dir() else [path]
        return learn_templates(read_all(files), min_articles)
    except (OSError, ValueError) as error:
        raise CommandFailed(command, f"cannot learn site templates: {error}") from error


def load(path: Path) -> SiteTemplates:
    """A saved templates file; a usage error (status 2) saying why it cannot be used."""
    from pipeline.corpus.templates import TemplatesFileError, load_templates

    try:
        return load_templates(path)
    except TemplatesFileError as error:
        raise UsageError(str(error)) from error


def _save(learned: SiteTemplates, path: Path, command: str) -> None:
    from pipeline.corpus.templates import save_templates

    try:
        save_templates(learned, path)
    except OSError as error:
        raise CommandFailed(
            command, f"cannot write templates file {path}: {error.strerror or error}"
        ) from error


def run_learn(args: argparse.Namespace) -> int:
    missing = [str(path) for path in args.inputs if not (path.is_file() or path.is_dir())]
    if missing:
        raise UsageError(f"records not found: {', '.join(missing)}")
    check_target(args.output)
    learned = _learn(list(args.inputs), "templates learn", args.min_articles)
    _save(learned, args.output, "templates learn")
    if not args.quiet:
        print(f"site templates: {_summary(learned)}; saved to {args.output}", file=sys.stderr)
    return EXIT_OK


def run_show(args: argparse.Namespace) -> int:
    learned = load(args.file)
    print(f"{args.file}: {_summary(learned)}")
    for template in learned.sites:
        print(f"\n{template.site} ({template.pages} pages)")
        for paragraph in template.paragraphs:
            print(f"  {paragraph.pages}/{template.pages}  {paragraph.text}")
    return EXIT_OK
