"""Run statistics, shared by every runner and by the crawl: documents read and written, error lines by
stage, removals by rule, and the summary lines a run ends with."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from pipeline.document import FAILURE_STAGES, Outcome
from pipeline.rules import ALL_RULES, LEARNED_RULES

# The stages the summary's first line counts.
_FIRST_LINE = frozenset({"empty", "filtered", "skipped"})


@dataclass
class RunStats:
    """Counts of one run. A `skipped` input (not a supported type) is not counted as read."""

    stages: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    read: int = 0
    written: int = 0
    # Archive records that are not documents (requests, metadata, revisits, non-HTML), by kind.
    passed: Counter[str] = field(default_factory=Counter)
    # Files newsclean wrote (other runs' records, errors files, reports, locks) found among the inputs
    # and passed over, by kind.
    own: Counter[str] = field(default_factory=Counter)
    started: float = field(default_factory=time.perf_counter)
    # A resume: documents skipped as already written (None: not a resume), and sources written before
    # that are none of this run's documents (known once every document was read).
    resumed: int | None = None
    not_among: int | None = None
    # Worker processes the run used (0: none, the documents ran in this process); None: not told.
    workers: int | None = None

    def add(self, outcome: Outcome) -> None:
        if outcome.stage == "skipped":
            self.stages["skipped"] += 1
            return
        self.read += 1
        if outcome.record is not None:
            self.written += 1
            self.rules.update(removal["rule"] for removal in outcome.record["removed"])
        elif outcome.stage:
            self.stages[outcome.stage] += 1

    def merge(self, other: RunStats) -> None:
        """Add another run's counts (a partition's, from a cluster worker) to these."""
        self.stages.update(other.stages)
        self.rules.update(other.rules)
        self.passed.update(other.passed)
        self.own.update(other.own)
        self.read += other.read
        self.written += other.written

    @property
    def failed(self) -> int:
        """Documents that failed at read, decode, extract or clean."""
        return sum(self.stages[stage] for stage in FAILURE_STAGES)

    @property
    def without_record(self) -> int:
        return sum(self.stages.values())

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started

    def all_failed(self) -> bool:
        """Whether there were documents and every one of them failed (exit status 1)."""
        return bool(self.read) and self.failed == self.read

    def summary(self) -> list[str]:
        """The lines that end a local run: counts, removals by rule (in run order), failures by stage."""
        seconds = self.seconds
        rate = self.read / seconds if seconds > 0 else 0.0
        lines = [
            f"newsclean: {self.read} documents read, {self.written} written, {self.stages['empty']} empty, "
            f"{self.failed} failed, {self.stages['filtered']} filtered, {self.stages['skipped']} skipped "
            f"({seconds:.1f} s, {rate:.1f} documents/s)"
        ]
        if self.rules:
            width = max(len(name) for name in self.rules)
            lines.append("removals by rule:")
            for rule in (*ALL_RULES, *LEARNED_RULES):
                if self.rules[rule.name]:
                    lines.append(f"  {rule.name:<{width}}  {self.rules[rule.name]:>6}  ({rule.family})")
        if self.resumed is not None:
            lines.append(self._resumed())
        if self.passed:
            kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(self.passed.items()))
            lines.append(f"archive records passed over: {kinds}")
        if self.own:
            kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(self.own.items()))
            lines.append(f"files newsclean wrote, passed over (never inputs): {kinds}")
        failed = {stage: n for stage, n in self.stages.items() if stage in FAILURE_STAGES and n}
        if failed:
            lines.append("failures by stage: " + ", ".join(f"{s} {n}" for s, n in sorted(failed.items())))
        # Stages the first line does not name: archived pages of another status (`--status`), pages that
        # are not articles (`--articles-only`), and the crawl's own.
        other = {
            s: n for s, n in self.stages.items() if n and s not in FAILURE_STAGES and s not in _FIRST_LINE
        }
        if other:
            lines.append("also without a record: " + ", ".join(f"{s} {n}" for s, n in sorted(other.items())))
        if self.workers is not None:
            lines.append(
                f"ran on {self.workers} worker process{'es' if self.workers > 1 else ''}"
                if self.workers
                else "ran in this process"
            )
        return lines

    def _resumed(self) -> str:
        line = f"resumed: {self.resumed} documents already in the output were skipped"
        if self.not_among:
            line += f"; {self.not_among} written before are not among these inputs"
        return line

    def by_stage(self) -> str:
        """Error lines by stage, "http 1, not-article 4", or "none"."""
        return (
            ", ".join(f"{stage} {count}" for stage, count in sorted(self.stages.items()) if count) or "none"
        )
