"""The README's settings tables name every environment variable of settings.py and every template
parameter, with the default the code and the template really have."""

from __future__ import annotations

import re
from pathlib import Path

from local.cfn import load_template
from model_catalog.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def table_rows() -> dict[str, str]:
    """First cell (a `name`, or `a` / `b`) -> second cell, over every table row of the README."""
    rows: dict[str, str] = {}
    for line in README.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 2:
            for name in re.findall(r"`([A-Za-z0-9_]+)`", cells[0]):
                rows[name] = cells[1]
    return rows


def test_every_environment_variable_is_documented_with_its_default() -> None:
    rows = table_rows()
    for field in Settings.model_fields.values():
        assert field.alias in rows, f"{field.alias} is missing from the README's settings table"
        default = field.default
        if isinstance(default, int) and not isinstance(default, bool):
            assert f"`{default}`" in rows[field.alias], field.alias


def test_every_template_parameter_is_documented_with_its_default() -> None:
    rows = table_rows()
    for name, parameter in load_template(ROOT / "template.yaml")["Parameters"].items():
        assert name in rows, f"parameter {name} is missing from the README"
        default = parameter.get("Default")
        if default not in (None, ""):
            assert f"`{default}`" in rows[name], name
        else:
            assert "empty" in rows[name], name
