"""The figures of one run as a table and as ``bench/results.json``, with the machine they ran on."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    floor: float | None  # in ``unit``; None when the target is absolute
    floor_is: str  # what the floor is
    target: str
    met: bool | None  # None: reported, no target

    @property
    def ratio(self) -> float | None:
        if self.floor is None or self.floor == 0:
            return None
        return self.value / self.floor


def machine() -> dict[str, Any]:
    return {
        "cpu": _cpu_model(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "system": f"{platform.system()} {platform.release()}",
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _number(value: float, unit: str) -> str:
    if unit == "calls":
        return f"{value:g}"
    return f"{value:.3g} {unit}" if value < 100 else f"{value:.0f} {unit}"


def table(figures: list[Figure]) -> str:
    rows = [("figure", "measured", "floor", "ratio", "target", "met")]
    for f in figures:
        ratio = f"{f.ratio:.2f}x" if f.ratio is not None else "-"
        floor = _number(f.floor, f.unit) if f.floor is not None else "-"
        met = {True: "yes", False: "NO", None: ""}[f.met]
        rows.append((f.name, _number(f.value, f.unit), floor, ratio, f.target or "-", met))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def write_json(path: Path, figures: list[Figure], settings: dict[str, Any]) -> None:
    document = {
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "settings": settings,
        "figures": [{**asdict(f), "ratio": None if f.ratio is None else round(f.ratio, 3)} for f in figures],
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
