"""What an export tells its caller: a report of what it did, or an error saying why it cannot."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# on_progress(done, total, article_id), called once per article gone through.
Progress = Callable[[int, int, str], None]


class ExportError(Exception):
    """An export the user asked for cannot be done as asked (unknown format, wrong target)."""


@dataclass(slots=True)
class ExportReport:
    """What an export did: articles and spans written, articles skipped, warnings, where."""

    format: str
    path: Path | None = None
    articles: int = 0
    spans: int = 0
    skipped: int = 0  # articles with nothing to export
    not_done: int = 0  # articles left out as not done (done articles only were asked for)
    ignored: int = 0  # articles left out as ignored
    warnings: list[str] = field(default_factory=list)
    labels: Counter[str] = field(default_factory=Counter)  # spans written, by label

    def add(self, part: ExportReport) -> None:
        """Count in what another report (a worker's chunk) did."""
        self.articles += part.articles
        self.spans += part.spans
        self.skipped += part.skipped
        self.not_done += part.not_done
        self.ignored += part.ignored
        self.warnings += part.warnings
        self.labels.update(part.labels)
