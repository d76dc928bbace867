"""GET /openapi.json (this deployment's OpenAPI document), GET /docs (a page to try the API in a
browser) and GET / (the catalog page: every model, filters, the region matrix). All are open: a browser
cannot send the key when it loads a page, and none holds data; the pages ask for the key and send it
with each request they make."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from model_catalog.adapters.api_key import StaticApiKey
from model_catalog.api.errors import Dialect
from model_catalog.api.http import JSON_TYPE, build_resolver, dumps
from model_catalog.api.openapi import CATALOG_PAGE_PATH, DOCS_PATH, OPENAPI_PATH, build_openapi
from model_catalog.observability import logger, metrics, tracer
from model_catalog.runtime import runtime

rt = runtime()
app = build_resolver(StaticApiKey(None), lambda _path: Dialect.OPENAI, rt.http_policy)

DOCUMENT = dumps(build_openapi(rt.routes))


def _sha256(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def _page(name: str) -> tuple[str, dict[str, str]]:
    """A self-contained page and its headers: its scripts and style sheets are allowed by hash, nothing
    else loads."""
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
    return page, {"Content-Security-Policy": policy}


PAGE, PAGE_HEADERS = _page("docs.html")
CATALOG_PAGE, CATALOG_PAGE_HEADERS = _page("catalog.html")


@app.get(OPENAPI_PATH)
def openapi() -> Response[str]:
    return Response(200, JSON_TYPE, DOCUMENT)


@app.get(DOCS_PATH)
def docs() -> Response[str]:
    return Response(200, "text/html; charset=utf-8", PAGE, PAGE_HEADERS)


@app.get(CATALOG_PAGE_PATH)
def catalog_page() -> Response[str]:
    return Response(200, "text/html; charset=utf-8", CATALOG_PAGE, CATALOG_PAGE_HEADERS)


# log_event=False whatever POWERTOOLS_LOGGER_LOG_EVENT says: a caller may send its API key here too.
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
