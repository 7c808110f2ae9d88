"""One benchmark figure: what was measured, what it is compared with, and whether it meets its target.

A figure without a target is shown for scale: the same cost at another library size, or the
whole command beside the part a target applies to.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

Goal = Literal["max", "min"]


@dataclass(slots=True)
class Options:
    """What the whole run was asked for, for the figures to read (`python -m bench` sets it)."""

    largest: int = 100_000  # the largest library built and measured
    profile: bool = False  # figures that run children profile one of them too
    full: bool = False  # also the figures that take minutes at the largest size (rebuild)


options = Options()


@dataclass(slots=True)
class Figure:
    """A measured value, its baseline from the same run, and the target the issue sets.

    `ratio` is `value / baseline` when there is a baseline. The target applies to the ratio
    when there is one, else to the value itself (`goal` says whether it is a ceiling or a floor).
    """

    name: str
    value: float
    unit: str
    target: float
    goal: Goal = "max"
    baseline: float | None = None
    baseline_name: str = ""
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        """`value / baseline`, or None for an absolute figure."""
        if self.baseline is None:
            return None
        return self.value / self.baseline if self.baseline else float("inf")

    @property
    def passed(self) -> bool:
        """Whether the figure meets its target (always, when it has none)."""
        if self.target is None:
            return True
        measured = self.ratio if self.ratio is not None else self.value
        return measured <= self.target if self.goal == "max" else measured >= self.target

    def line(self) -> str:
        """The one line `make bench` prints for this figure."""
        value = f"{_num(self.value)} {self.unit}"
        if self.baseline is not None:
            against = f"vs {self.baseline_name or 'baseline'} {_num(self.baseline)} {self.unit}"
            ratio = self.ratio or 0.0
            measured = f"ratio {ratio:.2f}" if ratio >= 0.1 else f"ratio {ratio:.2g}"
        else:
            against, measured = "(absolute)", ""
        bound = "<=" if self.goal == "max" else ">="
        if self.target is None:
            target, verdict = "", "(scale)"
        else:
            target = f"target {bound} {_num(self.target)}{'' if self.baseline is not None else ' ' + self.unit}"
            verdict = "PASS" if self.passed else "MISS"
        text = f"{self.name:<18} {value:>14}  {against:<34} {measured:<11} {target:<20} {verdict}"
        return f"{text}  ({self.note})" if self.note else text

    def to_json(self) -> dict[str, Any]:
        """The form written to bench/results.json."""
        data = asdict(self)
        data["ratio"] = self.ratio
        data["passed"] = self.passed
        return data


def _num(x: float) -> str:
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.3g}"


def median(values: list[float]) -> float:
    """The median, of at least one value."""
    return statistics.median(values)


def percentile(values: list[float], q: float) -> float:
    """The `q`-th percentile (0-100) by linear interpolation between closest ranks."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def write_results(path: Path, figures: list[Figure], meta: dict[str, Any]) -> None:
    """Write every figure of this run, merged over figures of earlier runs not measured now.

    A subset run (`python -m bench save`) keeps the other figures from the last full run, so the
    file always holds the latest value of each; `measured_at` says which run each came from.
    """
    previous: dict[str, Any] = {}
    if path.is_file():
        try:
            previous = {f["name"]: f for f in json.loads(path.read_text()).get("figures", [])}
        except (ValueError, AttributeError, TypeError):
            previous = {}
    for figure in figures:
        previous[figure.name] = {**figure.to_json(), "measured_at": meta.get("started")}
    path.write_text(json.dumps({"last_run": meta, "figures": list(previous.values())}, indent=2) + "\n")
