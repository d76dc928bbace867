"""The page of GET /docs, to try the API in a browser. It is self-contained: its one script and one
style sheet are allowed by hash (Content-Security-Policy), nothing else loads. The page asks for the API
key and sends it with each request it makes."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

PAGE = (Path(__file__).parent / "docs.html").read_text(encoding="utf-8")


def _sha256(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


PAGE_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src " + " ".join(_sha256(s) for s in re.findall(r"<script>(.*?)</script>", PAGE, re.S)),
        "style-src " + " ".join(_sha256(s) for s in re.findall(r"<style>(.*?)</style>", PAGE, re.S)),
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
