"""The pages: GET /docs, to try the API in a browser, and GET /, the catalog (every model, filters, the
region matrix). Each is self-contained: its script and style sheet are allowed by hash
(Content-Security-Policy), nothing else loads. The pages ask for the API key and send it with each
request they make."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path


def _sha256(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def _page(name: str) -> tuple[str, str]:
    """The page in this directory, and its Content-Security-Policy."""
    page = (Path(__file__).parent / name).read_text(encoding="utf-8")
    policy = "; ".join(
        (
            "default-src 'none'",
            "script-src " + " ".join(_sha256(s) for s in re.findall(r"<script>(.*?)</script>", page, re.S)),
            "style-src " + " ".join(_sha256(s) for s in re.findall(r"<style>(.*?)</style>", page, re.S)),
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )
    return page, policy


PAGE, PAGE_POLICY = _page("docs.html")
CATALOG_PAGE, CATALOG_PAGE_POLICY = _page("catalog.html")
