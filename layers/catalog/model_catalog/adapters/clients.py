"""Every AWS client of the container comes from one botocore session, made on first use.

botocore reads its service and endpoint data once per session, and that is most of what the first client
costs: sharing the session pays it once per container, not once per adapter or per refresh. A low-level
client needs botocore only; boto3 (resources, s3transfer) is never imported. A session is not
thread-safe, so clients are created one at a time; created, they are thread-safe."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from botocore.config import Config
    from botocore.session import Session
    from mypy_boto3_bedrock import BedrockClient

_LOCK = threading.Lock()


@functools.cache
def session() -> Session:
    """The container's session (``session.cache_clear()`` starts a new one, as a new container would)."""
    import botocore.session  # noqa: PLC0415 - a warm request never creates a client

    return botocore.session.get_session()


def create_client(service_name: str, **kwargs: Any) -> BaseClient:
    with _LOCK:
        return session().create_client(service_name, **kwargs)


def bedrock_clients(config: Config) -> Callable[[str], BedrockClient]:
    return lambda region: cast("BedrockClient", create_client("bedrock", region_name=region, config=config))
