"""Short names for Bedrock model ids, as API.md defines them: the id without its provider prefix and
version suffix, with or without its date. ``anthropic.claude-haiku-4-5-20251001-v1:0`` is also
``claude-haiku-4-5-20251001`` and ``claude-haiku-4-5``."""

from __future__ import annotations

import re

# Bedrock's version suffixes: -v1:0, -v1, -v0:2, -v2:0 after a date, -1:0 (gpt-oss), :0 (embed-v4:0).
# A -v2 or higher with no date before it names a model generation (titan-embed-text-v2:0, ray-v2:0)
# and stays: it is a different model from its v1.
_V_SUFFIX = re.compile(r"(?P<dated>\d{8})?-v(?P<major>\d+)(?::\d+)?$")
_OTHER_SUFFIX = re.compile(r"(?:-[01]:\d+|:\d+)$")
_DATE_SUFFIX = re.compile(r"-(\d{8})$")
_DATE_ANYWHERE = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")


def aliases_for(model_id: str) -> tuple[str, ...]:
    """Every alias of ``model_id``, longest first; never the id itself."""
    _, dot, rest = model_id.partition(".")
    base = rest if dot else model_id
    base = _without_version(base)
    found = [base]
    dated = _DATE_SUFFIX.search(base)
    if dated:
        found.append(base[: dated.start()])
    return tuple(a for a in dict.fromkeys(found) if a and a != model_id)


def _without_version(base: str) -> str:
    versioned = _V_SUFFIX.search(base)
    if versioned and (versioned["dated"] or int(versioned["major"]) <= 1):
        return base[: versioned.end("dated")] if versioned["dated"] else base[: versioned.start()]
    return _OTHER_SUFFIX.sub("", base)


def date_in_id(model_id: str) -> tuple[int, int, int] | None:
    """The YYYYMMDD date inside an id, when it is a plausible calendar date."""
    for match in _DATE_ANYWHERE.finditer(model_id):
        year, month, day = (int(g) for g in match.groups())
        if 1990 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31:
            return year, month, day
    return None
