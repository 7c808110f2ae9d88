"""The user's settings, kept in a small TOML file: model, theme, labels and key remaps.

```toml
model = "en_core_web_sm"
theme = "reader-dark"

[[labels]]            # replaces the default label set when present
name = "PERSON"
key = "1"
color = "#aa9cfc"

[keys]                # binding id = keys, as Textual writes them
"article.tag_1" = "1,f1"

[models]              # language (ISO 639-1) = spaCy pipeline for articles in it
es = "es_core_news_md"
```
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from reader import paths
from reader.atomic import write_atomic

# The label set a new user starts with, in hotkey order, with displaCy's colours.
DEFAULT_LABELS: tuple[tuple[str, str], ...] = (
    ("PERSON", "#aa9cfc"),
    ("ORG", "#7aecec"),
    ("GPE", "#feca74"),
    ("LOC", "#ff9561"),
    ("NORP", "#c887fb"),
    ("FAC", "#9cc9cc"),
    ("EVENT", "#ffeb80"),
    ("DATE", "#bfe1d9"),
    ("CARDINAL", "#e4e7d2"),
    ("TIME", "#bfe1d9"),
    ("MONEY", "#e4e7d2"),
    ("PERCENT", "#e4e7d2"),
    ("QUANTITY", "#e4e7d2"),
    ("ORDINAL", "#e4e7d2"),
    ("PRODUCT", "#bfeeb7"),
    ("WORK_OF_ART", "#f0d0ff"),
    ("LAW", "#ff8197"),
    ("LANGUAGE", "#ff8197"),
)


class ConfigError(Exception):
    """The config file cannot be read or holds a value of the wrong kind."""


@dataclass(frozen=True, slots=True)
class Label:
    """A label annotations can carry, with its hotkey (if any) and colour."""

    name: str
    key: str | None
    color: str


@dataclass(slots=True)
class Config:
    """Everything reader reads from the config file, with defaults for what is missing."""

    model: str | None = None
    theme: str | None = None
    labels: list[Label] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)  # language code -> pipeline
    path: Path | None = None

    def label_names(self) -> list[str]:
        """Label names in hotkey order."""
        return [label.name for label in self.labels]

    def label(self, name: str) -> Label | None:
        """The label called `name`, if the set has it."""
        return next((label for label in self.labels if label.name == name), None)


def default_labels() -> list[Label]:
    """The default label set: spaCy's entity labels, the first nine on keys 1-9."""
    return [
        Label(name, str(i + 1) if i < 9 else None, color)
        for i, (name, color) in enumerate(DEFAULT_LABELS)
    ]


def load(path: Path | None = None) -> Config:
    """Read the config file; a missing file gives the defaults, a broken one a ConfigError."""
    path = path or paths.config_file()
    config = Config(labels=default_labels(), path=path)
    if not path.exists():
        return config
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from exc
    model = raw.get("model")
    theme = raw.get("theme")
    if model is not None and not isinstance(model, str):
        raise ConfigError(f"{path}: 'model' must be a string")
    if theme is not None and not isinstance(theme, str):
        raise ConfigError(f"{path}: 'theme' must be a string")
    config.model, config.theme = model, theme
    if "labels" in raw:
        config.labels = _parse_labels(path, raw["labels"])
    if "extra_labels" in raw:
        extra = _parse_labels(path, raw["extra_labels"])
        known = set(config.label_names())
        config.labels += [label for label in extra if label.name not in known]
    keys = raw.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        raise ConfigError(f"{path}: [keys] must map binding ids to key strings")
    config.keys = dict(keys)
    models = raw.get("models", {})
    if not isinstance(models, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v for k, v in models.items()
    ):
        raise ConfigError(f"{path}: [models] must map language codes to pipeline names")
    config.models = {k.strip().lower(): v.strip() for k, v in models.items()}
    return config


def _parse_labels(path: Path, items: object) -> list[Label]:
    if not isinstance(items, list):
        raise ConfigError(f"{path}: labels must be an array of tables")
    labels: list[Label] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
            raise ConfigError(f"{path}: label {i + 1} needs a 'name'")
        name = item["name"].strip().upper()
        fallback = dict(DEFAULT_LABELS).get(name, "#dddddd")
        key = item.get("key")
        labels.append(Label(name, str(key) if key is not None else None, str(item.get("color", fallback))))
    return labels


def save(config: Config, path: Path | None = None) -> Path:
    """Write the config atomically; labels are written only when they differ from the defaults."""
    path = path or config.path or paths.config_file()
    lines: list[str] = []
    if config.model:
        lines.append(f"model = {_quote(config.model)}")
    if config.theme:
        lines.append(f"theme = {_quote(config.theme)}")
    if config.labels != default_labels():
        for label in config.labels:
            lines += ["", "[[labels]]", f"name = {_quote(label.name)}"]
            if label.key:
                lines.append(f"key = {_quote(label.key)}")
            lines.append(f"color = {_quote(label.color)}")
    if config.keys:
        lines += ["", "[keys]"] + [f"{_quote(k)} = {_quote(v)}" for k, v in sorted(config.keys.items())]
    if config.models:
        lines += ["", "[models]"] + [f"{_quote(k)} = {_quote(v)}" for k, v in sorted(config.models.items())]
    write_atomic(path, ("\n".join(lines) + "\n").encode("utf-8"))
    return path


def _quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
