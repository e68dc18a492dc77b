"""Near-duplicate records: MinHash LSH over word shingles finds candidate pairs, the shorter text's shingle
containment in the longer confirms them, and each record is marked with `duplicate_of` and `cluster`.

Three streaming passes over the records files, so that memory holds no texts (see `Index` for the bytes
kept per record): signatures and band keys; the shingles of the records that have a candidate, to verify
the candidates; the records again, written with their two fields.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from pipeline.corpus import DEFAULT_THRESHOLD
from pipeline.corpus.records import iter_records
from pipeline.text import words

FIELDS = ("duplicate_of", "cluster")


@dataclass(frozen=True)
class DedupOptions:
    """How copies are found. The defaults are the ones bench/dedup.py measured (README, "Near-duplicates")."""

    # A copy's shorter text must have at least this share of its shingles in the longer one.
    threshold: float = DEFAULT_THRESHOLD
    # Shingles are runs of this many words (see pipeline.text.words).
    shingle_words: int = 5
    # LSH: a pair is a candidate when its signatures agree on all `rows` values of any of `bands` bands.
    # 85 bands of 3 rows find a pair of Jaccard 0.35 with probability 0.98 (0.3: 0.91; 0.1: 0.08), so a
    # reprint that keeps 40% of the longer text is found, while unrelated texts (Jaccard near 0) rarely
    # meet. The signature has bands * rows values.
    bands: int = 85
    rows: int = 3
    seed: int = 1
    # Records sharing one band key are paired with at most this many better-ranked ones (a thousand copies
    # of one text give about a thousand candidate pairs, not half a million).
    run_limit: int = 50

    @property
    def num_perm(self) -> int:
        return self.bands * self.rows


def shingle_hashes(text: str, size: int) -> npt.NDArray[np.uint32]:
    """The text's distinct word `size`-grams as sorted 32-bit hashes (SHA-1, as datasketch hashes); a text
    of fewer words is one shingle."""
    from datasketch.hashfunc import sha1_hash32  # datasketch imports scipy: only when a pass runs

    tokens = words(text)
    if len(tokens) <= size:
        grams = [" ".join(tokens)] if tokens else []
    else:
        grams = [" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)]
    hashes = np.fromiter((sha1_hash32(g.encode("utf-8")) for g in grams), dtype=np.uint32, count=len(grams))
    return np.unique(hashes)


def _identity(value: Any) -> Any:
    return value


class Signer:
    """MinHash signatures (datasketch, fixed seed: the same text gives the same signature on every run and
    machine) and their LSH band keys."""

    def __init__(self, options: DedupOptions) -> None:
        from datasketch import MinHash

        self._minhash = MinHash
        self.options = options
        # The permutations are drawn once from the seed and shared by every signature.
        self._template = MinHash(num_perm=options.num_perm, seed=options.seed, hashfunc=_identity)
        self._mix = np.arange(1, options.rows + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)

    def signature(self, hashes: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
        minhash = self._minhash(
            num_perm=self.options.num_perm,
            seed=self.options.seed,
            hashfunc=_identity,
            permutations=self._template.permutations,
            scheme=self._template.scheme,
        )
        minhash.update_batch(hashes.astype(np.uint64))
        return np.asarray(minhash.hashvalues, dtype=np.uint32)

    def band_keys(self, signature: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
        """One 64-bit key a band: its `rows` values mixed (equal bands give equal keys)."""
        bands = signature.reshape(self.options.bands, self.options.rows).astype(np.uint64)
        with np.errstate(over="ignore"):
            mixed = (bands * self._mix).sum(axis=1, dtype=np.uint64)
            mixed ^= mixed >> np.uint64(29)
            mixed *= np.uint64(0xBF58476D1CE4E5B9)
        keys: npt.NDArray[np.uint64] = mixed
        return keys


@dataclass
class Index:
    """What pass 1 keeps, per record: its id (a 40-character str, 89 bytes), its text length and date (the
    representative rule) and its band keys (8 bytes a band: 680 bytes with the default 85 bands). The
    signature itself is not kept: its band keys are all the search needs."""

    ids: list[str] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    dates: list[str | None] = field(default_factory=list)
    keys: list[npt.NDArray[np.uint64]] = field(default_factory=list)

    def add(self, record_id: str, text: str, date: str | None, keys: npt.NDArray[np.uint64]) -> None:
        self.ids.append(record_id)
        self.lengths.append(len(text))
        self.dates.append(date)
        self.keys.append(keys)

    def ranks(self) -> npt.NDArray[np.int64]:
        """Each record's place in the representative order: the longest text first, then the earliest
        date (a record without one after those with one), then the smallest id."""
        order = sorted(
            range(len(self.ids)),
            key=lambda i: (-self.lengths[i], self.dates[i] is None, self.dates[i] or "", self.ids[i]),
        )
        ranks = np.empty(len(order), dtype=np.int64)
        ranks[np.asarray(order, dtype=np.int64)] = np.arange(len(order), dtype=np.int64)
        return ranks

    def candidates(self, ranks: npt.NDArray[np.int64], run_limit: int) -> set[tuple[int, int]]:
        """Pairs (better-ranked, other) of records that share a band key."""
        if not self.keys:
            return set()
        table = np.vstack(self.keys)
        self.keys = [table]  # one array from here on: the rows are not held twice
        pairs: set[tuple[int, int]] = set()
        for band in range(table.shape[1]):
            column = table[:, band]
            order = np.argsort(column, kind="stable")
            ordered = column[order]
            starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1], [True])))
            for start, end in itertools.pairwise(starts.tolist()):
                if end - start > 1:
                    members = sorted(order[start:end].tolist(), key=lambda i: ranks[i])
                    for place, member in enumerate(members[1:], 1):
                        for better in members[max(0, place - run_limit) : place]:
                            pairs.add((better, member))
        return pairs


def contained(shorter: npt.NDArray[np.uint32], longer: npt.NDArray[np.uint32]) -> float:
    """The share of the smaller shingle set found in the larger one."""
    if shorter.size > longer.size:
        shorter, longer = longer, shorter
    if shorter.size == 0:
        return 0.0
    return float(np.intersect1d(shorter, longer, assume_unique=True).size) / shorter.size


@dataclass(frozen=True)
class Duplicates:
    """The frozen result: for each record, in input order, the index of the record it copies (None for
    none) and the index of its cluster's representative (None for a record with no copy)."""

    ids: tuple[str, ...]
    copies: tuple[int | None, ...]
    clusters: tuple[int | None, ...]

    def fields(self, index: int) -> dict[str, str | None]:
        copy, cluster = self.copies[index], self.clusters[index]
        return {
            "duplicate_of": None if copy is None else self.ids[copy],
            "cluster": None if cluster is None else self.ids[cluster],
        }

    @property
    def copy_count(self) -> int:
        return sum(copy is not None for copy in self.copies)

    @property
    def cluster_count(self) -> int:
        return len({cluster for cluster in self.clusters if cluster is not None})


Records = Callable[[], Iterator[dict[str, Any]]]


def _text(record: dict[str, Any]) -> str:
    text = record.get("text")
    return text if isinstance(text, str) else ""


def index_records(records: Iterable[dict[str, Any]], options: DedupOptions) -> Index:
    """Pass 1: every record's band keys and representative-rule facts."""
    signer = Signer(options)
    index = Index()
    for number, record in enumerate(records, 1):
        record_id = record.get("id")
        if not isinstance(record_id, str) or not record_id:
            raise ValueError(f"record {number} has no id")
        date = record.get("date")
        text = _text(record)
        keys = signer.band_keys(signer.signature(shingle_hashes(text, options.shingle_words)))
        index.add(record_id, text, date if isinstance(date, str) else None, keys)
    return index


def verify(
    records: Iterable[dict[str, Any]], pairs: set[tuple[int, int]], options: DedupOptions
) -> dict[int, list[int]]:
    """Pass 2: the candidate pairs whose shorter text is contained in the longer, as each record's list of
    the records it is a copy of or copied by. Only the shingles of records in some pair are held."""
    wanted = {i for pair in pairs for i in pair}
    shingles: dict[int, npt.NDArray[np.uint32]] = {}
    for i, record in enumerate(records):
        if i in wanted:
            shingles[i] = shingle_hashes(_text(record), options.shingle_words)
    linked: dict[int, list[int]] = {}
    for a, b in sorted(pairs):
        if contained(shingles[a], shingles[b]) >= options.threshold:
            linked.setdefault(a, []).append(b)
            linked.setdefault(b, []).append(a)
    return linked


def assign(ids: Sequence[str], ranks: npt.NDArray[np.int64], linked: dict[int, list[int]]) -> Duplicates:
    """Records in representative order: a record linked to a better-ranked one is a copy of the best
    such record and joins its cluster; any other record heads its own."""
    count = len(ids)
    copies: list[int | None] = [None] * count
    roots = list(range(count))
    for i in sorted(range(count), key=lambda i: ranks[i]):
        better = [j for j in linked.get(i, ()) if ranks[j] < ranks[i]]
        if better:
            best = min(better, key=lambda j: ranks[j])
            copies[i], roots[i] = best, roots[best]
    sizes: dict[int, int] = {}
    for root in roots:
        sizes[root] = sizes.get(root, 0) + 1
    clusters = [root if sizes[root] > 1 else None for root in roots]
    return Duplicates(tuple(ids), tuple(copies), tuple(clusters))


def find_duplicates(records: Records, options: DedupOptions | None = None) -> Duplicates:
    """The copies among the records that `records()` yields (called twice, yielding the same records in
    the same order each time)."""
    options = options or DedupOptions()
    index = index_records(records(), options)
    ranks = index.ranks()
    pairs = index.candidates(ranks, options.run_limit)
    ids = index.ids
    del index
    return assign(ids, ranks, verify(records(), pairs, options))


def read_all(paths: Sequence[Path]) -> Records:
    """The records of every file, in order, as a function that reads them again each time it is called."""

    def records() -> Iterator[dict[str, Any]]:
        for path in paths:
            for number, record in enumerate(iter_records(path), 1):
                if not isinstance(record.get("id"), str) or not record["id"]:
                    raise ValueError(f"{path}: record {number} has no id")
                yield record

    return records


def marked(records: Iterable[dict[str, Any]], duplicates: Duplicates, drop: bool) -> Iterator[dict[str, Any]]:
    """Pass 3: the records with their two fields set as the last keys; without the copies when `drop`."""
    for i, record in enumerate(records):
        if drop and duplicates.copies[i] is not None:
            continue
        out = {key: value for key, value in record.items() if key not in FIELDS}
        out.update(duplicates.fields(i))
        yield out


def write_records(records: Iterable[dict[str, Any]], target: str, form: str) -> int:
    """Write the records to `target` (a path or "-") in `form`, through `<target>.partial` moved into place
    at the end, so that the target may be one of the inputs and is never left half-written."""
    from pipeline.writers import WRITERS

    partial = None if target == "-" else target + ".partial"
    writer = WRITERS[form](partial or target, False)
    count = 0
    try:
        for record in records:
            writer.write(record)
            count += 1
    except BaseException:
        writer.close()
        if partial is not None:
            Path(partial).unlink(missing_ok=True)
        raise
    writer.close()
    if partial is not None:
        os.replace(partial, target)
    return count
