"""The least a cold start of this design can cost: what issue 11 asks of every route, and no catalog.

    python bench/container.py 0 '[["bench/design_floor.py", {event}]]'

One route on Powertools' resolver with ``enable_validation``, its query parsed into a pydantic model and
its response model declared; Logger, Tracer and Metrics as the product sets them up
(model_catalog.observability, the one module of ours it imports); one DynamoDB client and one
BatchGetItem of the cache's items for every configured region; each region's data decompressed and
parsed; a page of model ids answered. No normalisation, facts, access, aliases or rendering: those are
the product. bench/container.py runs it as it runs a function."""

import json
import os
import zlib
from typing import Annotated, Any

import botocore.session
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from botocore.config import Config
from pydantic import BaseModel, Field

from model_catalog.observability import logger, metrics, tracer

REGIONS = os.environ["AWS_BEDROCK_REGIONS"].split(",")
TABLE = os.environ["CACHE_TABLE_NAME"]
# The cache's keys (adapters/dynamodb.py): a region's data, and its access answers.
KEYS = [{"pk": {"S": f"{kind}#{region}"}} for kind in ("region", "access") for region in REGIONS]


class ListQuery(BaseModel):
    limit: int = Field(20, ge=1, le=1000)
    after_id: str | None = None
    before_id: str | None = None


class Model(BaseModel):
    id: str
    type: str = "model"


class Page(BaseModel):
    data: list[Model]
    has_more: bool
    first_id: str | None
    last_id: str | None


app = APIGatewayHttpResolver(enable_validation=True)
clients: dict[str, Any] = {}


@app.get(
    "/anthropic/v1/models",
    responses={200: {"description": "OK", "content": {"application/json": {"model": Page}}}},
)
def list_models(query: Annotated[ListQuery, Query()]) -> Response[str]:
    if "dynamodb" not in clients:
        # adapters/dynamodb.py's CLIENT_CONFIG, written out: importing the adapter would bring our domain in.
        config = Config(connect_timeout=1, read_timeout=2, retries={"mode": "standard", "total_max_attempts": 3})
        clients["dynamodb"] = botocore.session.get_session().create_client("dynamodb", config=config)
    items = clients["dynamodb"].batch_get_item(RequestItems={TABLE: {"Keys": KEYS}})["Responses"][TABLE]
    ids = sorted(
        {
            model["modelId"]
            for item in items
            if item["pk"]["S"].startswith("region#")
            for model in json.loads(zlib.decompress(item["data"]["B"]))["models"]
        }
    )
    page = ids[: query.limit]
    metrics.add_metric(name="Models", unit="Count", value=len(page))
    body = {"data": [{"id": i, "type": "model"} for i in page], "has_more": len(ids) > len(page)}
    return Response(200, "application/json", json.dumps({**body, "first_id": page[0], "last_id": page[-1]}))


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
