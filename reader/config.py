"""The user's settings, kept in a small TOML file: model, theme, labels and key remaps.

```toml
model = "en_core_web_sm"
theme = "reader-dark"

[[labels]]            # replaces the default label set when present
name = "PERSON"
key = "1"
color = "#aa9cfc"

[[extra_labels]]      # added to the set (the default one, or [[labels]])
name = "VICTIM"
key = "0"
color = "#ffafd7"

[keys]                # binding id = keys, as Textual writes them
"article.tag_1" = "1,f1"

[models]              # language (ISO 639-1) = spaCy pipeline for articles in it
es = "es_core_news_md"
```

The file is the user's: reader changes it only when asked to (a new theme, a label made,
renamed or recoloured in the app), and then changes just that value, keeping comments,
order and everything else byte for byte (`save`).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit
import tomlkit.exceptions
from tomlkit.items import AoT, Table

from reader import paths
from reader.article import NUM_LABEL
from reader.atomic import NotAFile, read_kept_file, write_atomic
from reader.colours import distinct_colour, hex_colour, parse_colour
from reader.text import clean_line, escaped, quoted

# The label set a new user starts with, in hotkey order: displaCy's colours, where two of them
# look the same (DATE and TIME; the number labels) or fall on one entry of a 256-colour
# terminal (GPE and EVENT, FAC and DATE...), the later one nudged to the nearest free entry
# of the xterm palette. tests/test_colours.py keeps them apart.
DEFAULT_LABELS: tuple[tuple[str, str], ...] = (
    ("PERSON", "#aa9cfc"),
    ("ORG", "#7aecec"),
    ("GPE", "#feca74"),
    ("LOC", "#ff9561"),
    ("NORP", "#c887fb"),
    ("FAC", "#9cc9cc"),
    ("EVENT", "#ffff87"),
    ("DATE", "#afffd7"),
    ("CARDINAL", "#e4e7d2"),
    ("TIME", "#afd7ff"),
    ("MONEY", "#d7ffd7"),
    ("PERCENT", "#ffd7d7"),
    ("QUANTITY", "#d7d7af"),
    ("ORDINAL", "#ffffd7"),
    ("PRODUCT", "#bfeeb7"),
    ("WORK_OF_ART", "#f0d0ff"),
    ("LAW", "#ff8197"),
    ("LANGUAGE", "#ff87af"),
)
# The keys that tag with a label: 1-9, then 0.
HOTKEYS: tuple[str, ...] = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0")
# A config file of hundreds of labels is some tens of kilobytes.
MAX_CONFIG_BYTES = 1024 * 1024
# Longer names do not fit a legend chip or a column; no one types them.
MAX_LABEL_LENGTH = 40


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
    if not path.exists():
        return Config(labels=default_labels(), path=path)
    try:
        raw = tomllib.loads(read_kept_file(path, MAX_CONFIG_BYTES).decode("utf-8"))
    except (OSError, NotAFile, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from exc
    except RecursionError as exc:
        raise ConfigError(f"{path}: cannot read config: arrays or tables nested too deeply") from exc
    return _from_raw(path, raw)


def _from_raw(path: Path, raw: dict[str, Any]) -> Config:
    """The config a parsed file gives, defaults filled in; ConfigError for a value of the wrong kind."""
    config = Config(labels=default_labels(), path=path)
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
        if fold_label(item["name"]) == NUM_LABEL:
            raise ConfigError(f"{path}: label {NUM_LABEL} is reader's mark for a plain number: rename it")
        # The rules a label typed in the app is held to: the file is typed by hand too.
        try:
            name = label_name(item["name"])
        except ValueError as exc:
            raise ConfigError(f"{path}: label {i + 1} {escaped(item['name'])}: {exc}") from exc
        if any(label.name == name for label in labels):
            raise ConfigError(f"{path}: label {name} is listed twice")
        fallback = dict(DEFAULT_LABELS).get(name, "#dddddd")
        key = item.get("key")
        if key is not None and (not isinstance(key, (str, int)) or str(key) not in HOTKEYS):
            raise ConfigError(f"{path}: label {name}: key {escaped(str(key), 20)} is not one of {', '.join(HOTKEYS)}")
        colour = item.get("color", fallback)
        if not isinstance(colour, str) or not _HEX_COLOUR.fullmatch(colour.strip()):
            raise ConfigError(f"{path}: label {name}: color {str(colour)[:30]!r} is not a colour (write it as #rrggbb)")
        labels.append(Label(name, str(key) if key is not None else None, colour.strip()))
    return labels


_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def fold_label(typed: str) -> str:
    """A name cleaned and in upper case, each run of white space inside it made one `_`: CoNLL
    and brat separate their fields by white space, so a label cannot hold any."""
    return "_".join(clean_line(typed).upper().split())


def label_name(typed: str) -> str:
    """A label name as the config keeps it: cleaned, upper case, white space inside made `_`;
    ValueError if unusable (empty, too long, invisible characters, or reader's own NUM)."""
    name = fold_label(typed)
    if not name:
        raise ValueError("a label needs a name")
    if name == NUM_LABEL:
        raise ValueError(f"{NUM_LABEL} is reader's mark for a plain number, not a label: pick another name")
    if len(name) > MAX_LABEL_LENGTH:
        raise ValueError(f"label {quoted(name)} is longer than {MAX_LABEL_LENGTH} characters")
    if any(unicodedata.category(c) in ("Cf", "Cc", "Zl", "Zp") for c in name):
        raise ValueError(f"label {quoted(name)} holds invisible characters")
    return name


def add_labels(config: Config, names: Iterable[str]) -> list[Label]:
    """Add labels the set does not have yet, each with the next free hotkey and a colour unlike
    the others, and save them to the config file (only the labels part of it changes).

    Names are cleaned and upper-cased as the config file's are; names already in the set are
    skipped. Returns the labels made, in the order given. Raises ValueError for a name that
    cannot be a label (nothing is saved then), OSError or ConfigError when the file cannot be
    written or read.
    """
    wanted = list(dict.fromkeys(label_name(n) for n in names))
    made: list[Label] = []
    for name in wanted:
        if config.label(name) is not None:
            continue
        used = {label.key for label in config.labels}
        key = next((k for k in HOTKEYS if k not in used), None)
        label = Label(name, key, distinct_colour(label.color for label in config.labels))
        config.labels.append(label)
        made.append(label)
    if made:
        save(config)
    return made


def rename_label(config: Config, old: str, new: str) -> Label:
    """Give a label another name (same key and colour) and save it; ValueError if that cannot be."""
    label = _existing(config, old)
    name = label_name(new)
    if name != label.name and config.label(name) is not None:
        raise ValueError(f"there is already a label {name}")
    return _replace_label(config, label, Label(name, label.key, label.color))


def recolour_label(config: Config, name: str, colour: str) -> Label:
    """Give a label another colour (`#rrggbb` or a colour name) and save it; ValueError if unusable."""
    label = _existing(config, name)
    rgb = parse_colour(colour)
    if rgb is None:
        raise ValueError(f"{quoted(colour)} is not a colour (write it as #rrggbb)")
    return _replace_label(config, label, Label(label.name, label.key, hex_colour(rgb)))


def _existing(config: Config, name: str) -> Label:
    label = config.label(name)
    if label is None:
        raise ValueError(f"there is no label {name}")
    return label


def _replace_label(config: Config, old: Label, new: Label) -> Label:
    config.labels[config.labels.index(old)] = new
    save(config)
    return new


def save(config: Config, path: Path | None = None) -> Path:
    """Write what differs between `config` and its file into the file, and nothing else.

    The file is read again and edited as TOML that keeps its layout (tomlkit): a changed
    value is replaced where it stands, a new one added, and comments, order, spacing and
    every key reader does not know stay byte for byte. Labels are written where the file
    keeps them: an entry of `[[labels]]` or `[[extra_labels]]` is edited in place, new
    labels go to `[[extra_labels]]` (or to `[[labels]]` when the file lists the whole set).
    The file is replaced atomically. Raises OSError, or ConfigError when the file on disk is
    no longer valid TOML.
    """
    path = path or config.path or paths.config_file()
    try:
        before = read_kept_file(path, MAX_CONFIG_BYTES).decode("utf-8") if path.exists() else ""
        document = tomlkit.parse(before)
    except (NotAFile, UnicodeDecodeError, tomlkit.exceptions.ParseError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from exc
    except RecursionError as exc:
        raise ConfigError(f"{path}: cannot read config: arrays or tables nested too deeply") from exc
    on_disk = _from_document(path, document)
    for key, value in (("model", config.model), ("theme", config.theme)):
        if value != getattr(on_disk, key):
            if value is None:
                document.remove(key)
            else:
                _set_top_level(document, key, value)
    if config.keys != on_disk.keys:
        _save_table(document, "keys", config.keys)
    if config.labels != on_disk.labels:
        _save_labels(document, config.labels, on_disk)
    if config.models != on_disk.models:
        _save_table(document, "models", config.models)
    after = tomlkit.dumps(document)
    if after != before or not path.exists():
        write_atomic(path, after.encode("utf-8"))
    return path


def _set_top_level(document: tomlkit.TOMLDocument, key: str, value: str) -> None:
    """Set a top-level key; a new one goes right after the last top-level key, if any, so that
    a comment above the first table stays with that table."""
    if key in document:
        document[key] = value
        return
    tables = (Table, AoT)
    last = None
    for name, item in document.body:
        if isinstance(item, tables):
            break
        if name is not None:
            last = name.key
    if last is None:
        document[key] = value  # tomlkit puts it before the first table
    else:
        document._insert_after(last, key, value)  # noqa: SLF001 - tomlkit has no public way


def _from_document(path: Path, document: tomlkit.TOMLDocument) -> Config:
    """What a parsed file says, as `load` reads it."""
    return _from_raw(path, document.unwrap())


def _save_table(document: tomlkit.TOMLDocument, name: str, values: dict[str, str]) -> None:
    """Make the table `name` hold `values`, touching only the entries that differ."""
    table = document.get(name)
    if table is None:
        if not values:
            return
        document.add(tomlkit.nl())
        document.add(name, tomlkit.table())
        table = document[name]
    for key in [k for k in table if k not in values]:
        del table[key]
    for key, value in values.items():
        if table.get(key) != value:
            table[key] = value


def _label_table(label: Label) -> Table:
    table = tomlkit.table()
    table["name"] = label.name
    if label.key:
        table["key"] = label.key
    table["color"] = label.color
    return table


def _edit_entry(entry: Any, old: Label, new: Label) -> None:
    """Change only the fields of one label entry that differ."""
    if old.name != new.name:
        entry["name"] = new.name
    if old.key != new.key:
        if new.key is None:
            entry.pop("key", None)
        else:
            entry["key"] = new.key
    if old.color != new.color:
        entry["color"] = new.color


def _save_labels(document: tomlkit.TOMLDocument, labels: list[Label], on_disk: Config) -> None:
    """Edit the file's label entries into `labels`, entry by entry where the file has them."""
    listed = document.get("labels")  # the whole set, when the file gives one
    extra = document.get("extra_labels")
    # Where each label the file yields comes from: an entry of either array, or None for a
    # label of the default set (the file has no entry for it).
    entries: list[Any] = list(listed) if listed is not None else [None] * len(default_labels())
    if extra is not None:
        known = {label.name for label in on_disk.labels[: len(entries)]}
        for entry in extra:
            name = fold_label(str(entry.get("name", "")))
            if name and name not in known:
                entries.append(entry)
                known.add(name)
    old = on_disk.labels
    if len(labels) < len(old) or len(entries) != len(old):
        # A label went (or the file is not what it seemed): the file lists the whole set.
        for key in ("labels", "extra_labels"):
            if key in document:
                document.remove(key)
        for label in labels:
            _append_entry(document, label, "labels")
        return
    changed = [i for i in range(len(old)) if old[i] != labels[i]]
    if any(entries[i] is None for i in changed):
        # A default label changed: from now on the file lists the set (extra labels stay put).
        document.add(tomlkit.nl())
        array = tomlkit.aot()
        for i, entry in enumerate(entries):
            if entry is None:
                array.append(_label_table(labels[i]))
        document.append("labels", array)
        changed = [i for i in changed if entries[i] is not None]
    for i in changed:
        _edit_entry(entries[i], old[i], labels[i])
    for label in labels[len(old) :]:
        _append_entry(document, label)


def _append_entry(document: tomlkit.TOMLDocument, label: Label, key: str | None = None) -> None:
    """A new label: into `[[extra_labels]]`, or `[[labels]]` when only that is there."""
    if key is None:
        key = "extra_labels" if "extra_labels" in document or "labels" not in document else "labels"
    if key not in document:
        document.add(tomlkit.nl())
        document.append(key, tomlkit.aot())
    document[key].append(_label_table(label))
