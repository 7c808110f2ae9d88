"""Where reader keeps things (the data dir, the config file, the bundled seeds and styles), and
the CPUs it may use."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "reader"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data dir: an explicit override, else $READER_DATA_DIR, else the platform's user data dir."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get("READER_DATA_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return platformdirs.user_data_path(APP_NAME)


def config_dir() -> Path:
    """The config dir: $READER_CONFIG_DIR, else the platform's user config dir."""
    env = os.environ.get("READER_CONFIG_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return platformdirs.user_config_path(APP_NAME)


def config_file() -> Path:
    """The TOML config file (it need not exist)."""
    return config_dir() / "config.toml"


def bundled(name: str) -> Path:
    """A folder shipped with reader (`seeds` or `styles`), from a wheel or from a source checkout."""
    packaged = Path(__file__).parent / "_data" / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / name


def usable_cpus() -> int:
    """The CPUs this process may run on: worker processes beyond them only cost memory (each
    holds a model, or a share of an export)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1
