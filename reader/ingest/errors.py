"""The one exception ingestion raises inside itself; `ingest_inputs` turns it into a Result."""

from __future__ import annotations


class IngestError(Exception):
    """An input that cannot become an article, with one clear reason for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
