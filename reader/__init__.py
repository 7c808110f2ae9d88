"""reader: a terminal article reader and annotator."""

__version__ = "0.1.0"
