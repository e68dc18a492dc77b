"""`newsclean rules`: every rule in run order, as a table or as JSON with each rule's shape."""

from __future__ import annotations

import argparse
import json
from typing import Any

from pipeline.cli.common import EXIT_OK
from pipeline.rules import PAGE_RULES, TEXT_RULES
from pipeline.rules.text.shapes import describe


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "rules", help="list the cleaning rules", description="List every rule in run order."
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output, with each rule's shape")
    parser.set_defaults(func=run_rules)


def run_rules(args: argparse.Namespace) -> int:
    """Every rule in run order: the page rules before extraction, then the text rules on its paragraphs."""
    stages = [("page", rule.name, str(rule.family), rule.purpose) for rule in PAGE_RULES]
    stages += [("text", rule.name, str(rule.family), rule.purpose) for rule in TEXT_RULES]
    if args.json:
        keys = ("stage", "name", "family", "purpose")
        shapes = [rule.describe() for rule in PAGE_RULES] + [describe(rule.find) for rule in TEXT_RULES]
        rows = zip(stages, shapes, strict=True)
        listed = [dict(zip(keys, row, strict=True)) | shape for row, shape in rows]
        print(json.dumps(listed, ensure_ascii=False, indent=2))
        return EXIT_OK
    name_width = max(len(name) for _, name, _, _ in stages)
    family_width = max(len(family) for _, _, family, _ in stages)
    titles = {"page": "on the page, before extraction", "text": "on the extracted text"}
    for stage in ("page", "text"):
        print(f"Rules {titles[stage]}:")
        print(f"{'#':>2}  {'RULE':<{name_width}}  {'FAMILY':<{family_width}}  PURPOSE")
        rows_of_stage = [row for row in stages if row[0] == stage]
        for number, (_, name, family, purpose) in enumerate(rows_of_stage, start=1):
            print(f"{number:>2}  {name:<{name_width}}  {family:<{family_width}}  {purpose}")
        if stage == "page":
            print()
    return EXIT_OK
