"""The config file: read with defaults, and edited in place so the user's file stays theirs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader import config as config_file
from reader.colours import palette_index
from reader.config import HOTKEYS, Config, ConfigError, Label, add_labels, default_labels

USER_FILE = """\
# reader settings, kept by hand
model = "en_core_web_sm"   # the small English pipeline

# labels for the flood project
[[extra_labels]]
name = "VICTIM"   # people hurt
color = "#ff5f5f"

[[extra_labels]]
name = "RESCUER"
color = "#5fafff"

[keys]
"article.tag_1" = "1,f1"   # F1 too
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_missing_file_gives_the_defaults(tmp_path: Path) -> None:
    config = config_file.load(tmp_path / "none.toml")
    assert config.labels == default_labels() and config.theme is None and config.keys == {}


def test_extra_labels_add_to_the_defaults(tmp_path: Path) -> None:
    config = config_file.load(write(tmp_path, USER_FILE))
    assert config.label_names()[-2:] == ["VICTIM", "RESCUER"]
    assert config.label("VICTIM") == Label("VICTIM", None, "#ff5f5f")
    assert config.keys == {"article.tag_1": "1,f1"}


def test_switching_theme_changes_only_that_line(tmp_path: Path) -> None:
    path = write(tmp_path, USER_FILE)
    config = config_file.load(path)
    config.theme = "nord"
    config_file.save(config)
    after = path.read_text(encoding="utf-8")
    # Everything the user wrote is still there, byte for byte; one line is added.
    assert after.replace('theme = "nord"\n', "", 1) == USER_FILE
    assert config_file.load(path).theme == "nord"
    config.theme = "reader-light"
    config_file.save(config)
    assert path.read_text(encoding="utf-8") == USER_FILE.replace(
        '# the small English pipeline\n', '# the small English pipeline\ntheme = "reader-light"\n'
    )


def test_saving_an_unchanged_config_does_not_touch_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, USER_FILE)
    before = path.stat().st_mtime_ns, path.stat().st_ino
    config_file.save(config_file.load(path))
    assert (path.stat().st_mtime_ns, path.stat().st_ino) == before


def test_save_keeps_what_someone_else_wrote_meanwhile(tmp_path: Path) -> None:
    path = write(tmp_path, USER_FILE)
    config = config_file.load(path)
    path.write_text(USER_FILE + '"article.accept" = "enter"\n', encoding="utf-8")
    config.keys["article.accept"] = "enter"  # as the file now says
    config.theme = "nord"
    config_file.save(config)
    assert '"article.accept" = "enter"' in path.read_text(encoding="utf-8")


def test_save_is_atomic_and_leaves_no_temporary_file(tmp_path: Path, monkeypatch) -> None:
    from reader import atomic

    path = write(tmp_path, USER_FILE)
    config = config_file.load(path)
    config.theme = "nord"

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full_disk)
    with pytest.raises(OSError):
        config_file.save(config)
    assert path.read_text(encoding="utf-8") == USER_FILE
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]


def test_a_file_broken_meanwhile_is_refused_not_overwritten(tmp_path: Path) -> None:
    path = write(tmp_path, USER_FILE)
    config = config_file.load(path)
    path.write_text("theme = [unclosed\n", encoding="utf-8")
    config.theme = "nord"
    with pytest.raises(ConfigError, match="config.toml"):
        config_file.save(config)
    assert path.read_text(encoding="utf-8") == "theme = [unclosed\n"


def test_add_labels_gives_the_next_hotkey_and_a_distinct_colour(tmp_path: Path) -> None:
    path = write(tmp_path, USER_FILE)
    config = config_file.load(path)
    made = add_labels(config, ["witness", "VICTIM", " Witness "])
    assert [label.name for label in made] == ["WITNESS"]  # cleaned, upper-cased, once
    [witness] = made
    assert witness.key == "0"  # 1-9 are the defaults'
    others = [label.color for label in config.labels if label.name != "WITNESS"]
    assert palette_index(witness.color) not in {palette_index(c) for c in others}
    # Saved after the user's extra labels, the rest of the file untouched.
    after = path.read_text(encoding="utf-8")
    assert after.startswith(USER_FILE.split("[keys]")[0].rstrip("\n"))
    assert after.count('"article.tag_1" = "1,f1"   # F1 too') == 1
    assert config_file.load(path).labels == config.labels
    # The next label has no key left.
    [more] = add_labels(config, ["DONOR"])
    assert more.key is None and config_file.load(path).label("DONOR") == more


def test_add_labels_to_a_new_file_and_to_a_full_label_list(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "config.toml"
    config = Config(labels=default_labels(), path=path)
    add_labels(config, ["SHIP"])
    assert config_file.load(path).label_names() == [*config_file.load(tmp_path / "x").label_names(), "SHIP"]
    listed = write(tmp_path, '[[labels]]\nname = "A"\nkey = "1"\ncolor = "#ff0000"\n')
    config = config_file.load(listed)
    [b] = add_labels(config, ["b"])
    assert b.key == "2"
    assert config_file.load(listed).labels == [Label("A", "1", "#ff0000"), b]
    assert "[[extra_labels]]" not in listed.read_text(encoding="utf-8")


@pytest.mark.parametrize("bad", ["", "   ", "A" * 41, "PER\u200bSON", "PER\u2060SON"])
def test_add_labels_refuses_unusable_names_and_saves_nothing(tmp_path: Path, bad: str) -> None:
    path = write(tmp_path, USER_FILE)
    config = config_file.load(path)
    with pytest.raises(ValueError):
        add_labels(config, ["FINE", bad])
    assert path.read_text(encoding="utf-8") == USER_FILE
    assert config.label("FINE") is None


def test_rename_and_recolour_edit_an_extra_label_in_place(tmp_path: Path) -> None:
    path = write(tmp_path, USER_FILE)
    config = config_file.load(path)
    config_file.rename_label(config, "VICTIM", "casualty")
    config_file.recolour_label(config, "RESCUER", "#00ff00")
    assert path.read_text(encoding="utf-8") == USER_FILE.replace('"VICTIM"', '"CASUALTY"').replace(
        '"#5fafff"', '"#00ff00"'
    )
    with pytest.raises(ValueError, match="already"):
        config_file.rename_label(config, "CASUALTY", "person")
    with pytest.raises(ValueError, match="not a colour"):
        config_file.recolour_label(config, "CASUALTY", "blurple")


def test_recolouring_a_default_label_lists_the_set_and_keeps_the_rest(tmp_path: Path) -> None:
    path = write(tmp_path, USER_FILE)
    config = config_file.load(path)
    config_file.recolour_label(config, "GPE", "#123456")
    after = path.read_text(encoding="utf-8")
    assert after.startswith(USER_FILE)  # appended: nothing the user wrote moved
    loaded = config_file.load(path)
    assert loaded.labels == config.labels
    assert loaded.label("GPE") == Label("GPE", "3", "#123456")
    assert loaded.label_names()[-2:] == ["VICTIM", "RESCUER"]


def test_hotkeys_are_the_tag_keys() -> None:
    assert HOTKEYS == tuple("1234567890")


@pytest.mark.parametrize("colour", ["#zzzzzz", "red; background: blue", "12", "#12345"])
def test_a_label_colour_that_is_not_a_colour_is_refused_naming_the_label(tmp_path: Path, colour: str) -> None:
    from reader.config import ConfigError, load

    path = tmp_path / "config.toml"
    path.write_text(f'[[extra_labels]]\nname = "W"\ncolor = {json.dumps(colour)}\n')
    with pytest.raises(ConfigError, match=r"label W: color .* is not a colour"):
        load(path)


HAND_WRITTEN_LABELS = {
    "a name that is all escape sequence": ('name = "\\u001b]2;X\\u0007"', "needs a name"),
    "a zero-width name": ('name = "\\u200b"', "invisible characters"),
    "a name of 100,000 letters": (f'name = "{"L" * 100_000}"', "longer than 40"),
    "a key that is a list": ('name = "W"\nkey = ["a"]', "key .* is not one of 1, 2"),
    "a key no tag key is": ('name = "W"\nkey = "q"', "key \"q\" is not one of"),
}


@pytest.mark.parametrize("case", HAND_WRITTEN_LABELS)
def test_a_label_written_by_hand_is_held_to_the_rules_of_one_typed_in_the_app(tmp_path: Path, case: str) -> None:
    """An empty, invisible or endless name is refused in the app; from the file it was taken
    as it was, and an empty one could not be tagged with."""
    entry, reason = HAND_WRITTEN_LABELS[case]
    path = write(tmp_path, f"[[extra_labels]]\n{entry}\n")
    with pytest.raises(ConfigError, match=reason):
        config_file.load(path)


def test_a_label_listed_twice_is_refused(tmp_path: Path) -> None:
    """Two entries for one name (`person` is PERSON) made the label picker stop the app."""
    path = write(tmp_path, '[[labels]]\nname = "PERSON"\n\n[[labels]]\nname = "person"\n')
    with pytest.raises(ConfigError, match="label PERSON is listed twice"):
        config_file.load(path)


def test_a_file_nested_too_deeply_is_refused_in_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, "a = " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ConfigError, match="nested too deeply"):
        config_file.load(path)


def test_a_label_with_spaces_joins_its_words_as_spacy_labels_do(tmp_path: Path) -> None:
    """CoNLL and brat separate fields by white space: `B-MY LABEL` and `T1<TAB>MY LABEL 0 5`
    are broken lines. Typed in the picker, in a file or on the command line, it is one word."""
    from reader.cli.parser import build_parser
    from reader.config import label_name

    assert label_name("work of art") == "WORK_OF_ART"
    assert label_name("  flood\u00a0 victim ") == "FLOOD_VICTIM"
    config = config_file.load(write(tmp_path, '[[extra_labels]]\nname = "flood victim"\n'))
    assert "FLOOD_VICTIM" in config.label_names()
    assert add_labels(config, ["rescue team"])[0].name == "RESCUE_TEAM"
    args = build_parser().parse_args(["tag", "abc", "0", "5", "work of art"])
    assert args.label == "WORK_OF_ART"


def test_a_fifo_for_a_config_file_is_refused_without_waiting(tmp_path: Path) -> None:
    """Every command reads the config first: a FIFO there made each one wait for ever."""
    import os
    import threading

    path = tmp_path / "config.toml"
    os.mkfifo(path)
    outcome: list[str] = []

    def load() -> None:
        try:
            config_file.load(path)
        except ConfigError as exc:
            outcome.append(str(exc))

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(20)
    assert outcome == [f"{path}: cannot read config: not a regular file (a FIFO or a device is not one reader keeps)"]
