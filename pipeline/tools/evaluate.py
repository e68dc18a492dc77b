"""Score output records against hand-made answers (shingle precision, recall and F1 with bootstrap
error bars; the WCXB benchmark's word-bag metric and phrase checks), name the worst documents, and find
cleaning-rule residue left in the output."""

from __future__ import annotations

import json
import random
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from pipeline.rules import TEXT_RULES, Rule
from pipeline.rules.text.engine import apply_rules
from pipeline.writers.read import read_output

# Tokens are runs of word characters (Unicode), compared case-sensitively, as the Zyte benchmark does.
TOKEN = re.compile(r"\w+")
SHINGLE_SIZE = 4
BOOTSTRAP_SAMPLES = 1000
BOOTSTRAP_SEED = 20191127
# The ± printed is a 95% interval half-width: this many standard deviations of the resampled values.
INTERVAL_WIDTH = 1.96
GOLD_SUFFIX = ".gold.txt"

Shingle = tuple[str, ...]


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


def shingles(text: str, size: int = SHINGLE_SIZE) -> Counter[Shingle]:
    """The token n-grams of a text as a multiset.

    A text shorter than `size` tokens (but not empty) is one shingle, its whole token tuple, so a
    one-line answer can still be matched; an empty text has no shingles.
    """
    words = tokens(text)
    if not words:
        return Counter()
    if len(words) < size:
        return Counter([tuple(words)])
    return Counter(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


@dataclass(frozen=True)
class DocumentScore:
    """Shingle counts of one gold document and its prediction (`found` is False when none was given)."""

    key: str
    true_positives: int
    predicted: int
    gold: int
    found: bool = True
    source: str | None = None

    @property
    def precision(self) -> float | None:
        """None when the prediction is empty or missing: such a document is left out of precision."""
        return self.true_positives / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        """None when the gold text is empty: such a document is left out of recall."""
        return self.true_positives / self.gold if self.gold else None

    @property
    def f1(self) -> float:
        """This document's own F1, for ranking (an empty or missing prediction scores 0)."""
        p, r = self.precision or 0.0, self.recall or 0.0
        return 2 * p * r / (p + r) if p + r else 0.0


def score_document(key: str, prediction: str | None, gold: str, source: str | None = None) -> DocumentScore:
    """Compare one prediction with its gold text; `prediction=None` means no record was found."""
    gold_shingles = shingles(gold)
    predicted = shingles(prediction or "")
    overlap = sum((gold_shingles & predicted).values())
    return DocumentScore(
        key, overlap, sum(predicted.values()), sum(gold_shingles.values()), prediction is not None, source
    )


@dataclass(frozen=True)
class Summary:
    """Averaged scores over a set of documents, each with its ± (95% bootstrap interval half-width)."""

    precision: float
    recall: float
    f1: float
    precision_error: float
    recall_error: float
    f1_error: float
    documents: int
    predicted: int


def averages(scores: Sequence[DocumentScore]) -> tuple[float, float, float]:
    """Mean precision (over non-empty predictions), mean recall (over non-empty gold) and their F1.

    An average over no document is 0.
    """
    precisions = [s.precision for s in scores if s.precision is not None]
    recalls = [s.recall for s in scores if s.recall is not None]
    precision = statistics.fmean(precisions) if precisions else 0.0
    recall = statistics.fmean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def summarise(
    scores: Sequence[DocumentScore], samples: int = BOOTSTRAP_SAMPLES, seed: int = BOOTSTRAP_SEED
) -> Summary:
    """Average the documents' scores; error bars from `samples` resamples of the documents.

    The resampling is seeded, so the same scores in the same order always give the same bars.
    """
    precision, recall, f1 = averages(scores)
    errors = (0.0, 0.0, 0.0)
    if scores and samples > 1:
        rng = random.Random(seed)
        resampled = [averages(rng.choices(scores, k=len(scores))) for _ in range(samples)]
        spread = [INTERVAL_WIDTH * statistics.stdev(values) for values in zip(*resampled, strict=True)]
        errors = (spread[0], spread[1], spread[2])
    predicted = sum(1 for s in scores if s.predicted)
    return Summary(precision, recall, f1, *errors, len(scores), predicted)


def worst(scores: Iterable[DocumentScore], count: int = 10) -> list[DocumentScore]:
    """The documents with the lowest F1 (then lowest recall), worst first."""
    return sorted(scores, key=lambda s: (s.f1, s.recall or 0.0, s.key))[:count]


# The WCXB benchmark's own metric (its evaluate.py): the bag of lowercased word tokens of a page's output
# against its gold, scored page by page and averaged over pages; and the share of its `with` phrases (a
# correct extraction holds them) found and of its `without` phrases (menus, banners) absent, compared as
# case-insensitive substrings.


@dataclass(frozen=True)
class WordScore:
    """One page's word-bag precision, recall and F1; the shares of its phrases found and absent (None when
    the page has no such phrase)."""

    precision: float
    recall: float
    f1: float
    found: float | None = None
    absent: float | None = None


def word_bag(text: str) -> Counter[str]:
    """The lowercased word tokens of a text as a multiset."""
    return Counter(TOKEN.findall(text.lower()))


def score_words(
    prediction: str, gold: str, with_phrases: Sequence[str] = (), without_phrases: Sequence[str] = ()
) -> WordScore:
    """One page scored as WCXB scores it: an empty gold scores 1 only for an empty output, an empty output
    scores 0 against any other gold."""
    predicted, wanted = word_bag(prediction), word_bag(gold)
    found, absent = _phrase_shares(prediction, with_phrases, without_phrases)
    if not wanted:
        perfect = 0.0 if predicted else 1.0
        return WordScore(perfect, perfect, perfect, found, absent)
    if not predicted:
        return WordScore(0.0, 0.0, 0.0, found, absent)
    overlap = sum((predicted & wanted).values())
    precision, recall = overlap / sum(predicted.values()), overlap / sum(wanted.values())
    f1 = 2 * precision * recall / (precision + recall) if overlap else 0.0
    return WordScore(precision, recall, f1, found, absent)


def _phrase_shares(
    prediction: str, with_phrases: Sequence[str], without_phrases: Sequence[str]
) -> tuple[float | None, float | None]:
    text = prediction.lower()
    found = (
        sum(phrase.lower() in text for phrase in with_phrases) / len(with_phrases) if with_phrases else None
    )
    present = sum(phrase.lower() in text for phrase in without_phrases)
    absent = 1 - present / len(without_phrases) if without_phrases else None
    return found, absent


@dataclass(frozen=True)
class WordSummary:
    """Word-bag scores averaged over pages (F1 too: the mean of the pages' F1, as WCXB reports it), and the
    phrase shares averaged over the pages that have such phrases (None when none has)."""

    precision: float
    recall: float
    f1: float
    found: float | None
    absent: float | None
    documents: int


def summarise_words(scores: Sequence[WordScore]) -> WordSummary:
    """Average the pages' word scores; an average over no page is 0."""

    def mean(values: Iterable[float | None]) -> float | None:
        present = [value for value in values if value is not None]
        return statistics.fmean(present) if present else None

    return WordSummary(
        mean(s.precision for s in scores) or 0.0,
        mean(s.recall for s in scores) or 0.0,
        mean(s.f1 for s in scores) or 0.0,
        mean(s.found for s in scores),
        mean(s.absent for s in scores),
        len(scores),
    )


@dataclass(frozen=True)
class GoldDocument:
    text: str
    url: str | None = None


def load_gold(path: Path) -> dict[str, GoldDocument]:
    """A folder of `<name>.gold.txt` files, or a JSON object {name: {"articleBody": ..., "url": ...}}.

    Raises ValueError when the gold cannot be read as either.
    """
    if path.is_dir():
        return _gold_folder(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: not a ground-truth JSON file ({error})") from error
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a ground-truth JSON file is an object keyed by document name")
    return {str(key): _gold_entry(path, str(key), value) for key, value in data.items()}


def _gold_folder(path: Path) -> dict[str, GoldDocument]:
    gold: dict[str, GoldDocument] = {}
    for file in sorted(path.rglob(f"*{GOLD_SUFFIX}")):
        name = file.name[: -len(GOLD_SUFFIX)]
        if name in gold:
            raise ValueError(f"{path}: two gold files are named {file.name}")
        gold[name] = GoldDocument(file.read_text(encoding="utf-8"))
    return gold


def _gold_entry(path: Path, key: str, value: object) -> GoldDocument:
    if isinstance(value, str):
        return GoldDocument(value)
    if isinstance(value, dict) and isinstance(value.get("articleBody", ""), str):
        url = value.get("url")
        return GoldDocument(value.get("articleBody", ""), url if isinstance(url, str) and url else None)
    raise ValueError(f"{path}: entry {key!r} has no articleBody text")


def load_records(path: Path) -> list[dict[str, Any]]:
    """The records of an output: a JSON lines file (a torn last line is dropped), a Parquet file or a
    shard folder (pipeline.writers.read).

    Raises NotRecords (a ValueError) for an errors file, ValueError naming the line when a line is not
    a JSON object.
    """
    return read_output(path)


def is_gold_file(source: str) -> bool:
    return source.endswith(GOLD_SUFFIX)


def name_candidates(source: str) -> list[str]:
    """The input file's name, then without each extension in turn ("a/042b.html.gz" -> ..., "042b")."""
    name = PurePosixPath(source.replace("\\", "/").split("#", 1)[0]).name
    candidates = [name]
    while "." in name.strip("."):
        name = name.rsplit(".", 1)[0]
        candidates.append(name)
    return candidates


@dataclass
class Matching:
    """Records paired with gold names, and the records that found no gold (or a gold already taken)."""

    pairs: dict[str, dict[str, Any]]
    unmatched: list[dict[str, Any]]
    duplicates: list[dict[str, Any]]


def match_records(records: Iterable[dict[str, Any]], gold: dict[str, GoldDocument]) -> Matching:
    """Pair each record with a gold name by its file name, else by its URL.

    Records of `.gold.txt` files (a gold folder run through `clean`) are not predictions and are skipped.
    """
    by_url = {_url_key(doc.url): key for key, doc in gold.items() if doc.url}
    matching = Matching({}, [], [])
    for record in records:
        source = str(record.get("source") or "")
        if is_gold_file(source):
            continue
        key = next((name for name in name_candidates(source) if name in gold), None)
        url = record.get("url")
        if key is None and isinstance(url, str):
            key = by_url.get(_url_key(url))
        if key is None:
            matching.unmatched.append(record)
        elif key in matching.pairs:
            matching.duplicates.append(record)
        else:
            matching.pairs[key] = record
    return matching


def _url_key(url: str) -> str:
    return url.strip().rstrip("/")


def score_matching(gold: dict[str, GoldDocument], matching: Matching) -> list[DocumentScore]:
    """One score per gold document, in name order; a gold document with no record is `found=False`."""
    scores = []
    for key in sorted(gold):
        record = matching.pairs.get(key)
        text = None if record is None else str(record.get("text") or "")
        source = None if record is None else record.get("source")
        scores.append(score_document(key, text, gold[key].text, source))
    return scores


@dataclass(frozen=True)
class Residue:
    """Text left in a record's output that one of the cleaning rules would still remove."""

    source: str
    rule: str
    family: str
    text: str


def find_residue(record: dict[str, Any], rules: Sequence[Rule] = TEXT_RULES) -> list[Residue]:
    """Run the rules over a record's kept paragraphs and return what they would still remove."""
    paragraphs = [line for line in str(record.get("text") or "").split("\n") if line.strip()]
    _, removals = apply_rules(paragraphs, rules)
    source = str(record.get("source") or "")
    return [Residue(source, r.rule, r.family, r.text) for r in removals]


def residue_table(residue: Iterable[Residue]) -> list[dict[str, Any]]:
    """Per rule: its family, how many matches, in how many documents; most matches first."""
    matches: Counter[str] = Counter()
    families: dict[str, str] = {}
    sources: dict[str, set[str]] = {}
    for item in residue:
        matches[item.rule] += 1
        families[item.rule] = item.family
        sources.setdefault(item.rule, set()).add(item.source)
    table = [
        {"rule": rule, "family": families[rule], "matches": count, "documents": len(sources[rule])}
        for rule, count in matches.items()
    ]
    return sorted(table, key=lambda r: (-r["matches"], r["rule"]))


def evaluate(
    records: Sequence[dict[str, Any]],
    gold: dict[str, GoldDocument],
    *,
    worst_count: int = 10,
    seed: int = BOOTSTRAP_SEED,
) -> dict[str, Any]:
    """Everything the eval command reports, as plain data (what `--json` prints)."""
    matching = match_records(records, gold)
    scores = score_matching(gold, matching)
    summary = summarise(scores, seed=seed)
    predictions = [r for r in records if not is_gold_file(str(r.get("source") or ""))]
    residue = [item for record in predictions for item in find_residue(record)]
    return {
        "summary": asdict(summary),
        "matching": {
            "gold": len(gold),
            "matched": len(matching.pairs),
            "missing": sorted(set(gold) - set(matching.pairs)),
            "unmatched": [str(r.get("source")) for r in matching.unmatched],
            "duplicates": [str(r.get("source")) for r in matching.duplicates],
        },
        "worst": [_score_row(s) for s in worst(scores, worst_count)],
        "documents": [_score_row(s) for s in scores],
        "residue": {"rules": residue_table(residue), "matches": [asdict(item) for item in residue]},
    }


def _score_row(score: DocumentScore) -> dict[str, Any]:
    return {
        "name": score.key,
        "source": score.source,
        "found": score.found,
        "precision": score.precision,
        "recall": score.recall,
        "f1": score.f1,
        "true_positives": score.true_positives,
        "predicted_shingles": score.predicted,
        "gold_shingles": score.gold,
    }


def format_text(result: dict[str, Any]) -> str:
    """The eval command's human-readable report."""
    return "\n".join([*_summary_lines(result), "", *_worst_lines(result), "", *_residue_lines(result)])


def _summary_lines(result: dict[str, Any]) -> list[str]:
    s, m = result["summary"], result["matching"]
    lines = [
        f"{m['gold']} gold documents, {m['matched']} matched by a record, {len(m['missing'])} missing; "
        f"{len(m['unmatched'])} records matched no gold, {len(m['duplicates'])} repeated a matched one",
        f"precision {s['precision']:.3f} ± {s['precision_error']:.3f}"
        f"  (over {s['predicted']} non-empty predictions)",
        f"recall    {s['recall']:.3f} ± {s['recall_error']:.3f}",
        f"F1        {s['f1']:.3f} ± {s['f1_error']:.3f}",
    ]
    return lines


def _worst_lines(result: dict[str, Any]) -> list[str]:
    lines = [f"{len(result['worst'])} worst documents", "   F1      P      R  document"]
    for row in result["worst"]:
        p = "    -" if row["precision"] is None else f"{row['precision']:.3f}"
        r = "    -" if row["recall"] is None else f"{row['recall']:.3f}"
        where = row["source"] or f"{row['name']} (no record)"
        lines.append(f"{row['f1']:.3f}  {p}  {r}  {where}")
    return lines


def _residue_lines(result: dict[str, Any]) -> list[str]:
    table = result["residue"]["rules"]
    if not table:
        return ["Residue: no rule would remove anything more from the output"]
    lines = ["Residue: what the rules would still remove from the output", "matches  documents  rule"]
    for row in table:
        lines.append(f"{row['matches']:7d}  {row['documents']:9d}  {row['rule']} ({row['family']})")
        examples = [m["text"] for m in result["residue"]["matches"] if m["rule"] == row["rule"]][:3]
        lines.extend(f"{'':18}e.g. {_shorten(text)}" for text in examples)
    return lines


def _shorten(text: str, width: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
