"""The pages: GET /docs, to try the API in a browser, and GET /, the catalog (every model, filters, the
region matrix). Each is self-contained: its script and style sheet are allowed by hash
(Content-Security-Policy), nothing else loads. The pages ask for the API key and send it with each
request they make."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from aws_lambda_powertools.event_handler import Response


def _sha256(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


@dataclass(frozen=True, slots=True)
class Page:
    html: str
    policy: str  # Content-Security-Policy

    @classmethod
    def read(cls, name: str) -> Page:
        html = (Path(__file__).parent / name).read_text(encoding="utf-8")
        policy = "; ".join(
            (
                "default-src 'none'",
                "script-src " + " ".join(_sha256(s) for s in re.findall(r"<script>(.*?)</script>", html, re.S)),
                "style-src " + " ".join(_sha256(s) for s in re.findall(r"<style>(.*?)</style>", html, re.S)),
                "connect-src 'self'",
                "base-uri 'none'",
                "form-action 'none'",
                "frame-ancestors 'none'",
            )
        )
        return cls(html, policy)

    def response(self) -> Response[str]:
        return Response(200, "text/html; charset=utf-8", self.html, {"Content-Security-Policy": self.policy})


DOCS_PAGE = Page.read("docs.html")
CATALOG_PAGE = Page.read("catalog.html")
