"""`newsclean explain`: one document processed, its kept paragraphs and every removal printed in order,
each removal with the rule that made it."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipeline.cli import templates
from pipeline.cli.common import EXIT_FAILED, EXIT_OK, UsageError, add_rule_options, config_from
from pipeline.document import Document, DocumentError, Stage, Unreadable
from pipeline.model import BlockScore, ModelError, PageModel, chosen_model
from pipeline.model.explain import explain_document
from pipeline.process import Config, run_one
from pipeline.readers import SUPPORTED, iter_documents

# Documents listed when an input holds several and none is named.
LISTED = 20


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "explain",
        help="show what was kept and removed from one document, and why",
        description=(
            "Process one document and print its text in order: each kept paragraph with its 0-based "
            "number (the `at` of the record's removals), and each removal, where it stood, with the rule "
            "and family that removed it. Removals made in the page before extraction come first. "
            "INPUT is a saved page or text dump (.html, .htm, .txt, optionally .gz), one record of a web "
            "archive named as the record's `source` is (ARCHIVE#OFFSET), or an archive or folder that holds "
            "one document. For an archive or folder of several, the documents are listed so that you can "
            "name one, or --all explains each. With --model, the page model decides what is kept, and each "
            "block it added or left out follows the document's text with its score and the features "
            "that moved the score most."
        ),
    )
    parser.add_argument("input", metavar="INPUT", help="a file, ARCHIVE#OFFSET, or a folder")
    add_rule_options(parser)
    parser.add_argument("--all", action="store_true", help="explain every document the input holds")
    parser.add_argument("--json", action="store_true", help="print the JSONL record instead")
    parser.add_argument(
        "--templates", metavar="FILE", help="with the site templates of a saved file, as `clean --templates`"
    )
    parser.add_argument(
        "--model",
        metavar="MODEL",
        help="read the page with this page model (made by `newsclean train`), and show what it added and "
        "left out",
    )
    parser.set_defaults(func=run_explain)


def run_explain(args: argparse.Namespace) -> int:
    if args.templates:
        args.learned_templates = templates.load(Path(args.templates))
    config = config_from(args)
    if args.model is not None:
        try:
            config = replace(config, model=chosen_model(args.model))
        except ModelError as error:
            raise UsageError(str(error)) from error
    documents = _documents(args.input)
    if len(documents) > 1 and not args.all:
        listed = "\n".join(f"  {document.source}" for document in documents[:LISTED])
        more = f"\n  ... and {len(documents) - LISTED} more" if len(documents) > LISTED else ""
        raise UsageError(
            f"{args.input} holds {len(documents)} documents; name one (its source as below) or pass --all:"
            f"\n{listed}{more}"
        )
    status = EXIT_OK
    for number, document in enumerate(documents):
        if number and not args.json:
            print()
        if not _explain(document, config, as_json=args.json):
            status = EXIT_FAILED
    return status


def _documents(argument: str) -> list[Document]:
    """The documents INPUT names: a file's or folder's, or one archive record by its source."""
    path, _, offset = argument.rpartition("#") if "#" in argument else (argument, "", "")
    if offset and not Path(argument).exists():
        if not offset.isdigit():
            raise UsageError(f"{argument}: the part after # must be a record's offset")
        if not Path(path).is_file():
            raise UsageError(f"no such file: {path}")
        named = [document for document in iter_documents([path]) if document.source == argument]
        if not named:
            raise UsageError(
                f"{path} has no HTML record at offset {offset} (the record sources are FILE#OFFSET)"
            )
        return named
    if not Path(argument).exists():
        raise UsageError(f"no such file or folder: {argument}")
    found = list(iter_documents([argument]))
    if not found:
        unsupported = Unreadable(Stage.SKIPPED, f"not a supported input type ({SUPPORTED})", "unsupported")
        return [Document(argument, None, origin=unsupported)]
    return found


def _explain(document: Document, config: Config, *, as_json: bool) -> bool:
    """Print one document's explanation; False when it gives no record."""
    outcome = run_one(document, config)
    if outcome.record is None:
        assert outcome.error is not None
        print(
            f"{document.source}: no record ({outcome.error['stage']}): {outcome.error['error']}",
            file=sys.stderr,
        )
        return False
    record = outcome.record
    if as_json:
        print(json.dumps(record, ensure_ascii=False))
        return True
    for line in explanation(record):
        print(line)
    if isinstance(config.model, PageModel) and document.kind == "html":  # a text dump has no blocks
        try:
            blocks = explain_document(document, config)
        except DocumentError:  # the record was made: not reached but for a page that fails only once
            blocks = []
        for line in model_explanation(blocks, config.model.threshold):
            print(line)
    return True


def explanation(record: dict[str, Any]) -> list[str]:
    """The record's kept paragraphs and removals in document order, as lines to print."""
    kept = record["text"].split("\n") if record["text"] else []
    removed = record["removed"]
    lines = [
        f"{record['source']}: kept {len(kept)} paragraphs ({record['word_count']} words), "
        f"removed {len(removed)} text(s)"
    ]
    before = [removal for removal in removed if removal["at"] is None]
    if before:
        lines.append("")
        lines.append("cut from the page before extraction:")
        lines += [_removal(removal) for removal in before]
    lines.append("")
    placed = [removal for removal in removed if removal["at"] is not None]
    for number, paragraph in enumerate(kept):
        lines += [_removal(removal) for removal in placed if removal["at"] == number]
        lines.append(f"  {number:>3}  {paragraph}")
    lines += [_removal(removal) for removal in placed if removal["at"] >= len(kept)]
    return lines


def model_explanation(blocks: Sequence[BlockScore], threshold: float) -> list[str]:
    """The blocks newsclean's own reading left out, in page order, as lines to print: `+` those the page
    model added (score at least the threshold), `x` those it left out, each with its score and the features
    that moved the score most (name=value, then the change of score that feature made)."""
    decided = [block for block in blocks if not block.own]
    added = sum(block.kept for block in decided)
    lines = [
        "",
        f"page model (threshold {threshold:g}): {len(blocks)} blocks, {len(blocks) - len(decided)} in "
        f"newsclean's reading, {added} added, {len(decided) - added} left out",
    ]
    for block in decided:
        reasons = ", ".join(f"{name}={value:.3g} {effect:+.3f}" for name, value, effect in block.top)
        lines.append(f"    {'+' if block.kept else 'x'}  {block.score:.3f} [{reasons}] {block.text}")
    return lines


def _removal(removal: dict[str, Any]) -> str:
    detail = f" ({removal['detail']})" if removal.get("detail") else ""
    return f"    -  [{removal['rule']}, {removal['family']}] {removal['text']}{detail}"
