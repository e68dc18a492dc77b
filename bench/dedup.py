"""Near-duplicate detection measured on a labelled set built at run time from ../shared, beside datatrove's
and NeMo Curator's MinHash defaults run with datasketch on the same records.

The set (nothing of it is written to disk): every dev-set article of ../shared/benchmarks/*/ground-truth.json
of at least MIN_WORDS words, and for every second one a copy made by a seeded script, one kind in turn:
`chrome` (chrome lines added above and below: the lines cut by hand from ../shared/seeds dumps, and a few
generic ones), `truncate` (the first 40-70% of the words), `edit` (3-6 words changed, a paragraph dropped),
`mixed` (all three). Also, in the test half, the five ../shared/seeds stories: each dump (with its chrome)
and its hand-cleaned gold are one pair of copies; the five stories, about one event from five sites, are
hard negatives of each other. Two articles of the same site (URL host, or Fundus publisher) are hard
negatives too. The articles split in two halves by a hash of their name: the containment threshold is
chosen on the first (the best F1), the figures are reported on the second. Pairwise precision and recall:
over every pair of records of a half, a pair is predicted when its two records share a cluster.

    python bench/dedup.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import random
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from datasketch import MinHash, MinHashLSH

from pipeline.corpus.dedup import DedupOptions, Duplicates, assign, contained, index_records, shingle_hashes
from pipeline.text import words

ROOT = Path(__file__).resolve().parent.parent
MIN_WORDS = 100
KINDS = ("chrome", "truncate", "edit", "mixed")
GENERIC_CHROME = (
    "Advertisement",
    "Share this article",
    "Sign up for our newsletter",
    "Follow us on Facebook and Twitter",
    "Read more",
    "All rights reserved.",
    "Click here to subscribe to our daily briefing",
    "Related Articles",
)
# Chrome is short lines (navigation, prompts, "See also" links): the seeds' long gallery captions are not
# added, a copy whose added lines outweigh its article would be a different page.
CHROME_WORDS = 30
# Dev-set articles that are already copies of each other (wire stories several sites ran): two originals
# whose shorter has this share of its word 5-grams in the longer are labelled one article.
SAME_ARTICLE = 0.9
# The threshold chosen: the strictest whose F1 on the tuning half is within CLOSE of the best (the curve is
# flat over a range, and the set holds few hard negatives: among near-equal choices, the stricter).
CLOSE = 0.005
# Hard negatives by topic: this many pairs of different articles of the test half, the closest by words.
TOPIC_PAIRS = 200
THRESHOLDS = [round(0.3 + 0.05 * i, 2) for i in range(14)]


@dataclass(frozen=True)
class Item:
    """One record of the set: its text, the article it comes from (the label), its site and its kind."""

    key: str
    text: str
    label: str
    site: str | None
    kind: str  # "original", a copy kind, "seed-dump" or "seed-gold"

    @property
    def id(self) -> str:
        return hashlib.sha1(self.key.encode()).hexdigest()


def _rng(key: str) -> random.Random:
    return random.Random(int(hashlib.sha1(key.encode()).hexdigest()[:12], 16))


def _site(benchmark: str, name: str, url: object) -> str | None:
    if isinstance(url, str) and url:
        host = urlsplit(url).hostname or ""
        return host.removeprefix("www.") or None
    if benchmark == "fundus-tests":
        return name.split("_", 1)[0]
    return None


def articles(shared: Path) -> list[Item]:
    found: list[Item] = []
    for truth in sorted(shared.glob("benchmarks/*/ground-truth.json")):
        benchmark = truth.parent.name
        for name, entry in sorted(json.loads(truth.read_text("utf-8")).items()):
            text = "\n".join(line.strip() for line in entry["articleBody"].splitlines() if line.strip())
            if len(text.split()) >= MIN_WORDS:
                key = f"{benchmark}/{name}"
                found.append(Item(key, text, key, _site(benchmark, name, entry.get("url")), "original"))
    return found


def seed_chrome(shared: Path) -> list[str]:
    """The lines cut by hand from the seed dumps (captions, "See also" links, prompts, navigation)."""
    lines: list[str] = []
    for dump in sorted((shared / "seeds").glob("[0-9][0-9][0-9]_*.txt")):
        if dump.name.endswith(".gold.txt"):
            continue
        kept = set(dump.with_name(dump.name[:-4] + ".gold.txt").read_text("utf-8").splitlines())
        lines += [line.strip() for line in dump.read_text("utf-8").splitlines() if line.strip() not in kept]
    return sorted({line for line in lines if line and len(line.split()) <= CHROME_WORDS})


def seeds(shared: Path) -> list[Item]:
    found: list[Item] = []
    for dump in sorted((shared / "seeds").glob("[0-9][0-9][0-9]_*.txt")):
        if dump.name.endswith(".gold.txt"):
            continue
        label = f"seeds/{dump.name[:-4]}"
        gold = dump.with_name(dump.name[:-4] + ".gold.txt")
        found.append(Item(label + "#dump", dump.read_text("utf-8").strip(), label, "seeds", "seed-dump"))
        found.append(Item(label + "#gold", gold.read_text("utf-8").strip(), label, "seeds", "seed-gold"))
    return found


def _add_chrome(paragraphs: list[str], rng: random.Random, pool: list[str]) -> list[str]:
    top = rng.sample(pool, rng.randint(2, 4))
    bottom = rng.sample(pool, rng.randint(1, 3))
    return top + paragraphs + bottom


def _truncate(paragraphs: list[str], rng: random.Random) -> list[str]:
    total = sum(len(p.split()) for p in paragraphs)
    budget = round(total * rng.uniform(0.4, 0.7))
    kept: list[str] = []
    for paragraph in paragraphs:
        tokens = paragraph.split()
        if len(tokens) >= budget:
            kept.append(" ".join(tokens[:budget]))
            break
        kept.append(paragraph)
        budget -= len(tokens)
    return kept


def _edit(paragraphs: list[str], rng: random.Random) -> list[str]:
    edited = list(paragraphs)
    if len(edited) >= 3:
        del edited[rng.randrange(1, len(edited))]
    vocabulary = " ".join(edited).split()
    for _ in range(rng.randint(3, 6)):
        where = rng.randrange(len(edited))
        tokens = edited[where].split()
        if tokens:
            tokens[rng.randrange(len(tokens))] = rng.choice(vocabulary)
            edited[where] = " ".join(tokens)
    return edited


def copy_of(item: Item, kind: str, pool: list[str]) -> Item:
    rng = _rng(item.key + "#" + kind)
    paragraphs = item.text.split("\n")
    if kind in ("truncate", "mixed"):
        paragraphs = _truncate(paragraphs, rng)
    if kind in ("edit", "mixed"):
        paragraphs = _edit(paragraphs, rng)
    if kind in ("chrome", "mixed"):
        paragraphs = _add_chrome(paragraphs, rng, pool)
    return Item(f"{item.key}#{kind}", "\n".join(paragraphs), item.label, item.site, kind)


def halves(shared: Path) -> tuple[list[Item], list[Item]]:
    pool = seed_chrome(shared) + list(GENERIC_CHROME)
    parts: tuple[list[Item], list[Item]] = ([], [])
    for number, item in enumerate(articles(shared)):
        half = parts[int(hashlib.sha1(item.key.encode()).hexdigest(), 16) % 2]
        half.append(item)
        if number % 2 == 0:
            half.append(copy_of(item, KINDS[(number // 2) % len(KINDS)], pool))
    parts[1].extend(seeds(shared))
    return parts


def same_articles(items: list[Item]) -> dict[str, str]:
    """Each original's label mapped to the label of the copy group it belongs to, by exact containment
    of word 5-grams over every pair of originals (an inverted index, no LSH); prints the pairs found."""
    originals = [item for item in items if item.kind == "original"]
    sets = [set(shingle_hashes(item.text, 5).tolist()) for item in originals]
    holders: dict[int, list[int]] = {}
    for i, grams in enumerate(sets):
        for gram in grams:
            holders.setdefault(gram, []).append(i)
    parent = list(range(len(originals)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    found = 0
    for i, grams in enumerate(sets):
        shared = Counter(j for gram in grams for j in holders[gram] if j > i)
        for j, count in sorted(shared.items()):
            if count / max(1, min(len(grams), len(sets[j]))) >= SAME_ARTICLE:
                found += 1
                if found <= 5:
                    print(f"  same article in the dev sets: {originals[i].key} = {originals[j].key}")
                parent[root(j)] = root(i)
    print(
        f"  {found} pairs of dev-set articles share >= {SAME_ARTICLE:.0%} of the shorter's 5-grams: one label"
    )
    return {item.label: originals[root(i)].label for i, item in enumerate(originals)}


def _pairs(count: Counter[object]) -> int:
    return sum(n * (n - 1) // 2 for n in count.values())


@dataclass
class Score:
    precision: float
    recall: float
    predicted: int
    true: int
    copies_found: dict[str, tuple[int, int]]
    site_merged: tuple[int, int]
    seed_merged: tuple[int, int]

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def score(items: list[Item], clusters: list[object], groups: dict[str, str]) -> Score:
    """Pairwise figures of a clustering (one cluster key a record; a record alone has its own key)."""
    truth = [groups.get(item.label, item.label) for item in items]
    labels = Counter(truth)
    predicted = Counter(clusters)
    both = Counter(zip(clusters, truth, strict=True))
    tp, pred, true = _pairs(both), _pairs(predicted), _pairs(labels)
    cluster_of = {item.key: cluster for item, cluster in zip(items, clusters, strict=True)}
    found: dict[str, tuple[int, int]] = {}
    for item in items:
        if item.kind not in ("original", "seed-gold"):
            original = item.label if item.kind != "seed-dump" else item.label + "#gold"
            hit = cluster_of[item.key] == cluster_of[original]
            done, total = found.get(item.kind, (0, 0))
            found[item.kind] = (done + hit, total + 1)
    return Score(
        tp / pred if pred else 1.0,
        tp / true if true else 1.0,
        pred,
        true,
        found,
        _merged(items, clusters, groups, lambda a, b: a.site is not None and a.site == b.site != "seeds"),
        _merged(items, clusters, groups, lambda a, b: a.site == b.site == "seeds"),
    )


def _merged(
    items: list[Item], clusters: list[object], groups: dict[str, str], hard: Callable[[Item, Item], bool]
) -> tuple[int, int]:
    """(pairs merged, pairs) among the originals of different articles that `hard` calls hard negatives."""
    originals = [
        (item, c) for item, c in zip(items, clusters, strict=True) if item.kind in ("original", "seed-gold")
    ]
    merged = pairs = 0
    for (a, ca), (b, cb) in itertools.combinations(originals, 2):
        if groups.get(a.label, a.label) != groups.get(b.label, b.label) and hard(a, b):
            pairs += 1
            merged += ca == cb
    return merged, pairs


def topic_pairs(items: list[Item], groups: dict[str, str], count: int = TOPIC_PAIRS) -> list[tuple[int, int]]:
    """Hard negatives by topic: the `count` pairs of originals of different articles whose distinct words
    (of 4 letters or more) overlap most, as a share of the smaller set."""
    originals = [i for i, item in enumerate(items) if item.kind in ("original", "seed-gold")]
    vocab = {i: {w for w in words(items[i].text) if len(w) >= 4} for i in originals}
    scored = []
    for a, b in itertools.combinations(originals, 2):
        if groups.get(items[a].label, items[a].label) != groups.get(items[b].label, items[b].label):
            overlap = len(vocab[a] & vocab[b]) / max(1, min(len(vocab[a]), len(vocab[b])))
            scored.append((overlap, a, b))
    scored.sort(reverse=True)
    return [(a, b) for _, a, b in scored[:count]]


def true_pairs(items: list[Item], groups: dict[str, str]) -> set[tuple[int, int]]:
    members: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        members.setdefault(groups.get(item.label, item.label), []).append(i)
    return {(a, b) for group in members.values() for a, b in itertools.combinations(group, 2)}


def ours(
    items: list[Item], options: DedupOptions
) -> tuple[Callable[[float], list[object]], set[tuple[int, int]], float, float]:
    """newsclean's pass: the clustering at each threshold (pass 1 and the containments computed once), the
    LSH candidate pairs, the bytes the index holds per record, and seconds per record."""
    records = [{"id": item.id, "text": item.text, "date": None} for item in items]
    tracemalloc.start()
    kept = index_records(records, options)
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del kept
    started = time.perf_counter()
    index = index_records(records, options)
    ranks = index.ranks()
    pairs = index.candidates(ranks, options.run_limit)
    shingles = {i: shingle_hashes(items[i].text, options.shingle_words) for pair in pairs for i in pair}
    containment = {pair: contained(shingles[pair[0]], shingles[pair[1]]) for pair in pairs}
    seconds = (time.perf_counter() - started) / len(items)

    def at(threshold: float) -> list[object]:
        linked: dict[int, list[int]] = {}
        for (a, b), share in containment.items():
            if share >= threshold:
                linked.setdefault(a, []).append(b)
                linked.setdefault(b, []).append(a)
        found: Duplicates = assign(index.ids, ranks, linked)
        return [i if c is None else c for i, c in enumerate(found.clusters)]

    return at, pairs, held / len(items), seconds


def _components(count: int, edges: Iterable[tuple[int, int]]) -> list[object]:
    parent = list(range(count))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in edges:
        parent[root(a)] = root(b)
    return [root(i) for i in range(count)]


def lsh_baseline(
    items: list[Item],
    shingle: Callable[[str], set[str]],
    bands: int,
    rows: int,
    jaccard: float | None,
) -> list[object]:
    """A MinHash LSH deduplicator of the datatrove / NeMo Curator kind, with datasketch: pairs that share a
    band are duplicates (datatrove), or only when their exact Jaccard reaches `jaccard` (NeMo's check);
    clusters are the connected components."""
    lsh = MinHashLSH(num_perm=bands * rows, params=(bands, rows))
    sets = [shingle(item.text) for item in items]
    edges: list[tuple[int, int]] = []
    for i, grams in enumerate(sets):
        minhash = MinHash(num_perm=bands * rows, seed=1)
        minhash.update_batch([g.encode("utf-8") for g in grams])
        for j in lsh.query(minhash):
            if jaccard is None or len(grams & sets[j]) / max(1, len(grams | sets[j])) >= jaccard:
                edges.append((i, j))
        lsh.insert(i, minhash)
    return _components(len(items), edges)


def word_grams(text: str, size: int = 5) -> set[str]:
    tokens = words(text)
    return {" ".join(tokens[i : i + size]) for i in range(max(1, len(tokens) - size + 1))}


def char_grams(text: str, size: int = 24) -> set[str]:
    return {text[i : i + size] for i in range(max(1, len(text) - size + 1))}


def report(name: str, result: Score, clusters: list[object], topic: list[tuple[int, int]]) -> None:
    kinds = "  ".join(f"{kind} {done}/{total}" for kind, (done, total) in sorted(result.copies_found.items()))
    print(
        f"{name:<44} P {result.precision:.3f}  R {result.recall:.3f}  F1 {result.f1:.3f}  "
        f"(pairs predicted {result.predicted}, true {result.true})"
    )
    print(f"{'':<44} copies found: {kinds}")
    print(
        f"{'':<44} same-site pairs merged {result.site_merged[0]}/{result.site_merged[1]}, "
        f"seed stories merged {result.seed_merged[0]}/{result.seed_merged[1]}, "
        f"closest-topic pairs merged {sum(clusters[a] == clusters[b] for a, b in topic)}/{len(topic)}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args(argv)
    if not (args.shared / "benchmarks").is_dir() or not (args.shared / "seeds").is_dir():
        print(f"bench/dedup.py: no benchmarks or seeds under {args.shared}", file=sys.stderr)
        return 2
    tune, test = halves(args.shared)
    options = DedupOptions()
    print(f"tuning half: {len(tune)} records; test half: {len(test)} records (min {MIN_WORDS} words)")
    groups = same_articles(tune + test)
    at, _, _, _ = ours(tune, options)
    curve = [(threshold, score(tune, at(threshold), groups)) for threshold in THRESHOLDS]
    print("tuning half, containment threshold: " + "  ".join(f"{t:.2f} F1 {s.f1:.3f}" for t, s in curve))
    top = max(result.f1 for _, result in curve)
    best = max(threshold for threshold, result in curve if result.f1 >= top - CLOSE)
    print(f"chosen threshold: {best:.2f} (the default is {options.threshold:g})\n")
    at, candidates, held, seconds = ours(test, options)
    topic = topic_pairs(test, groups)
    truth = true_pairs(test, groups)
    found = {(min(pair), max(pair)) for pair in candidates} & truth
    print(f"test half ({len(test)} records): LSH made {len(found)}/{len(truth)} true pairs candidates")
    runs = [(f"newsclean (containment >= {best:.2f})", at(best))]
    if best != options.threshold:
        runs.append((f"newsclean (default, {options.threshold:g})", at(options.threshold)))
    runs.append(("datatrove defaults (word 5-grams, 14x8)", lsh_baseline(test, word_grams, 14, 8, None)))
    runs.append(
        ("NeMo Curator defaults (24-char, 20x13, J 0.8)", lsh_baseline(test, char_grams, 20, 13, 0.8))
    )
    for name, clusters in runs:
        report(name, score(test, clusters, groups), clusters, topic)
    print(
        f"\nnewsclean pass 1 holds {held:.0f} bytes a record ({options.bands} bands, tracemalloc); "
        f"{seconds * 1000:.2f} ms a record for passes 1 and 2"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
