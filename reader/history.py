"""Undo and redo for the article screen: every change knows how to take itself back.

Each change is written to the store when it is made, and each undo or redo writes again at
once, so what is on disk always matches what is on screen. The history lives as long as the
article screen; it is not saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reader.article import Annotation, Rejection, ReviewStatus
from reader.store import Library
from reader.text import plural, quoted


class Change:
    """One change to an article's annotations or rejections, reversible."""

    def undo(self, library: Library, article_id: str) -> None:
        """Take the change back in the store."""
        raise NotImplementedError

    def redo(self, library: Library, article_id: str) -> None:
        """Make the change again in the store."""
        raise NotImplementedError

    def describe(self, text: str) -> str:
        """What the change did, in a few words, for the notification after undo or redo."""
        raise NotImplementedError


def _quote(text: str, start: int, end: int) -> str:
    return quoted(text[start:end])


def _add_again(library: Library, article_id: str, annotations: list[Annotation]) -> list[Annotation]:
    """Store annotations taken back by an undo again, each with its own id."""
    return library.add_annotations(
        article_id, [(a.start, a.end, a.label, a.source) for a in annotations], ids=[a.id for a in annotations]
    )


@dataclass(slots=True)
class Added(Change):
    """An annotation was added: tagged by hand, or a model entity accepted."""

    annotation: Annotation

    def undo(self, library: Library, article_id: str) -> None:
        """Remove it."""
        library.remove_annotation(article_id, self.annotation.id)

    def redo(self, library: Library, article_id: str) -> None:
        """Put it back, with the same id."""
        library.restore_annotation(article_id, self.annotation)

    def describe(self, text: str) -> str:
        """'Tagged 'X' as PERSON' or 'Accepted ...'."""
        a = self.annotation
        verb = "accepting" if a.source == "model" else "tagging"
        return f"{verb} {_quote(text, a.start, a.end)} as {a.label}"


@dataclass(slots=True)
class Relabelled(Change):
    """An annotation got another label."""

    before: Annotation
    label: str
    source: str | None = None  # the source it got with the label (None: kept)

    def undo(self, library: Library, article_id: str) -> None:
        """Give it its old label back."""
        library.restore_annotation(article_id, self.before)

    def redo(self, library: Library, article_id: str) -> None:
        """Give it the new label again."""
        library.relabel_annotation(article_id, self.before.id, self.label, source=self.source)

    def describe(self, text: str) -> str:
        """'relabelling 'X' from GPE to LOC'."""
        b = self.before
        return f"relabelling {_quote(text, b.start, b.end)} from {b.label} to {self.label}"


@dataclass(slots=True)
class Deleted(Change):
    """An annotation was deleted."""

    annotation: Annotation

    def undo(self, library: Library, article_id: str) -> None:
        """Restore it exactly as it was."""
        library.restore_annotation(article_id, self.annotation)

    def redo(self, library: Library, article_id: str) -> None:
        """Delete it again."""
        library.remove_annotation(article_id, self.annotation.id)

    def describe(self, text: str) -> str:
        """'deleting 'X' (PERSON)'."""
        a = self.annotation
        return f"deleting {_quote(text, a.start, a.end)} ({a.label})"


@dataclass(slots=True)
class AddedMany(Change):
    """Several annotations added in one step (accept all, tag every occurrence): one undo."""

    annotations: list[Annotation] = field(default_factory=list)
    what: str = "entity"  # what was added, for the description: "accepting 3 entities"
    verb: str = "accepting"

    def undo(self, library: Library, article_id: str) -> None:
        """Remove every annotation the step added."""
        library.remove_annotations(article_id, [a.id for a in self.annotations])

    def redo(self, library: Library, article_id: str) -> None:
        """Add them again in one write, with their ids: a later change in the history (a
        delete, a reject) names them by id."""
        self.annotations = _add_again(library, article_id, self.annotations)

    def describe(self, text: str) -> str:
        """'accepting 12 entities', 'tagging 3 occurrences'."""
        many = "entities" if self.what == "entity" else None
        return f"{self.verb} {plural(len(self.annotations), self.what, many)}"


@dataclass(slots=True)
class AcrossLibrary(Change):
    """Annotations added to many articles in one step (tag every occurrence in the library).

    Knows its own articles: the article the screen passes is one of them, or none.
    """

    added: dict[str, list[Annotation]] = field(default_factory=dict)

    def undo(self, library: Library, article_id: str) -> None:
        """Remove what was added, article by article."""
        for each, made in self.added.items():
            library.remove_annotations(each, [a.id for a in made])

    def redo(self, library: Library, article_id: str) -> None:
        """Add it all again."""
        for each, made in self.added.items():
            self.added[each] = _add_again(library, each, made)

    def describe(self, text: str) -> str:
        """'tagging 14 occurrences in 5 articles'."""
        total = sum(len(a) for a in self.added.values())
        return f"tagging {plural(total, 'occurrence')} in {plural(len(self.added), 'article')}"


@dataclass(slots=True)
class Rejected(Change):
    """A model span was rejected."""

    rejection: Rejection

    def undo(self, library: Library, article_id: str) -> None:
        """Take the rejection back."""
        r = self.rejection
        library.unreject(article_id, r.start, r.end, r.label)

    def redo(self, library: Library, article_id: str) -> None:
        """Reject it again."""
        r = self.rejection
        library.reject(article_id, r.start, r.end, r.label)

    def describe(self, text: str) -> str:
        """'rejecting 'X' (PERSON)'."""
        r = self.rejection
        return f"rejecting {_quote(text, r.start, r.end)} ({r.label})"


@dataclass(slots=True)
class RejectedAccepted(Rejected):
    """A model span that had been accepted was rejected: the annotations deleted and the span
    rejected, as one step."""

    annotations: list[Annotation] = field(default_factory=list)

    def undo(self, library: Library, article_id: str) -> None:
        """Take the rejection back and restore the annotations."""
        Rejected.undo(self, library, article_id)
        for annotation in self.annotations:
            library.restore_annotation(article_id, annotation)

    def redo(self, library: Library, article_id: str) -> None:
        """Delete them and reject the span again."""
        library.remove_annotations(article_id, [a.id for a in self.annotations])
        Rejected.redo(self, library, article_id)

    def describe(self, text: str) -> str:
        """'rejecting 'X' (PERSON), accepted before'."""
        return Rejected.describe(self, text) + ", accepted before"


@dataclass(slots=True)
class ReviewChanged(Change):
    """An article's review status was set: done or ignored (and the next one to review
    opened), or back in progress.

    Knows its own article: after D or I, the next article's screen starts with it, so that
    `u` there takes the mark back (and the screen returns to the article, to go on with it).
    """

    article_id: str
    before: ReviewStatus
    after: ReviewStatus
    title: str

    def undo(self, library: Library, article_id: str) -> None:
        """Give the article its status from before."""
        library.set_status(self.article_id, self.before)

    def redo(self, library: Library, article_id: str) -> None:
        """Mark it again."""
        library.set_status(self.article_id, self.after)

    def describe(self, text: str) -> str:
        """'marking 'Title' done'."""
        return f"marking {quoted(self.title, 60)} {self.after.replace('_', ' ')}"


@dataclass(slots=True)
class History:
    """The undo and redo stacks of one article screen."""

    done: list[Change] = field(default_factory=list)
    undone: list[Change] = field(default_factory=list)

    def record(self, change: Change) -> None:
        """A new change was made (and stored): it can be undone; nothing can be redone now."""
        self.done.append(change)
        self.undone.clear()

    def undo(self, library: Library, article_id: str) -> Change | None:
        """Undo the last change in the store; None when there is nothing to undo.

        A change that cannot be undone (the store refused it) stays where it was.
        """
        if not self.done:
            return None
        change = self.done[-1]
        change.undo(library, article_id)
        self.undone.append(self.done.pop())
        return change

    def redo(self, library: Library, article_id: str) -> Change | None:
        """Redo the last undone change in the store; None when there is nothing to redo."""
        if not self.undone:
            return None
        change = self.undone[-1]
        change.redo(library, article_id)
        self.done.append(self.undone.pop())
        return change
