"""Widgets of the reader UI; each module owns one widget."""

from reader.widgets.article_view import ArticleView

__all__ = ["ArticleView"]
