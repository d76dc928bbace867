"""GET /openapi.json (this deployment's OpenAPI document) and GET /docs (a page to try the API in a
browser). Both are open: a browser cannot send the key when it loads a page, and neither holds data;
the page asks for the key and sends it with each request it makes."""

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
from model_catalog.api.openapi import DOCS_PATH, OPENAPI_PATH, build_openapi
from model_catalog.observability import logger, metrics, tracer
from model_catalog.runtime import runtime

rt = runtime()
app = build_resolver(StaticApiKey(None), lambda _path: Dialect.OPENAI, rt.http_policy)

DOCUMENT = dumps(build_openapi(rt.routes))
PAGE = (Path(__file__).parent / "docs.html").read_text(encoding="utf-8")


def _sha256(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


# The page is self-contained: its one script and one style sheet are allowed by hash, nothing else loads.
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


@app.get(OPENAPI_PATH)
def openapi() -> Response[str]:
    return Response(200, JSON_TYPE, DOCUMENT)


@app.get(DOCS_PATH)
def docs() -> Response[str]:
    return Response(200, "text/html; charset=utf-8", PAGE, {"Content-Security-Policy": PAGE_POLICY})


# log_event=False whatever POWERTOOLS_LOGGER_LOG_EVENT says: a caller may send its API key here too.
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
