"""The API key from SSM Parameter Store and Secrets Manager (moto), read through Powertools Parameters:
cached for API_KEY_CACHE_SECONDS, a rotation picked up after that, failures closed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.parameters import base as parameters_base
from aws_lambda_powertools.utilities.parameters.constants import DEFAULT_PROVIDERS
from moto import mock_aws

from local.cfn import load_template
from model_catalog.adapters.api_key import FAILURE_CACHE_SECONDS, ParameterApiKey
from model_catalog.errors import SecretUnavailableError
from tests.conftest import ROOT, HandlerLoader
from tests.integration.handler_calls import Reply, invoke, request

SSM_NAME = "/model-catalog/api-key"


@pytest.fixture
def aws() -> Iterator[None]:
    """moto, and Powertools Parameters without what an earlier test left in its module-level cache
    (providers, their boto3 clients, cached values); clearing it is what parameters.clear_caches() does."""
    DEFAULT_PROVIDERS.clear()
    with mock_aws():
        yield
    DEFAULT_PROVIDERS.clear()


class Clock:
    """Stands in for the datetime Powertools Parameters reads to expire its cache."""

    now = datetime(2026, 5, 1, 12, 0, 0)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> type[Clock]:
    class FrozenDatetime(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> FrozenDatetime:
            return cls.fromtimestamp(Clock.now.timestamp(), tz)

    monkeypatch.setattr(parameters_base, "datetime", FrozenDatetime)
    return Clock


def with_key(event_name: str, key: str) -> dict[str, Any]:
    return request(event_name, headers={"x-api-key": key, "authorization": None})


def anthropic(handler: ModuleType, key: str) -> Reply:
    return invoke(handler, with_key("anthropic_list_models", key))


def template_secret_properties() -> dict[str, Any]:
    properties: dict[str, Any] = load_template(ROOT / "template.yaml")["Resources"]["ApiKeySecret"]["Properties"]
    return properties


def create_secret_as_the_stack_does() -> str:
    """The secret as CloudFormation creates it from template.yaml: a generated string, nothing around
    it. Returns its ARN, which is what ``!Ref ApiKeySecret`` gives the functions."""
    generate = template_secret_properties()["GenerateSecretString"]
    # Without SecretStringTemplate/GenerateStringKey the secret string is the bare generated password.
    assert "SecretStringTemplate" not in generate and "GenerateStringKey" not in generate
    client = boto3.client("secretsmanager", region_name="us-east-1")
    key = client.get_random_password(**generate)["RandomPassword"]
    return str(client.create_secret(Name="model-catalog-api-key", SecretString=key)["ARN"])


def secret_string(arn: str) -> str:
    """What the stack's GetApiKeyCommand output prints: `--query SecretString --output text`."""
    client = boto3.client("secretsmanager", region_name="us-east-1")
    return str(client.get_secret_value(SecretId=arn)["SecretString"])


def test_the_stack_s_generated_secret_is_the_key_clients_send(aws: None, load_handler: HandlerLoader) -> None:
    arn = create_secret_as_the_stack_does()
    key = secret_string(arn)
    assert len(key) == 48 and key.isalnum()
    handler = load_handler("list_models", API_KEY_SECRETSMANAGER_SECRET=arn)
    assert anthropic(handler, key).status == 200
    assert invoke(handler, request("openai_list_models", headers={"authorization": f"Bearer {key}"})).status == 200
    assert anthropic(handler, key[:-1]).status == 401


def test_ssm_secure_string(aws: None, load_handler: HandlerLoader) -> None:
    ssm = boto3.client("ssm", region_name="us-east-1")
    ssm.put_parameter(Name=SSM_NAME, Value="ssm-key-1", Type="SecureString")
    handler = load_handler("list_models", API_KEY_SSM_PARAMETER=SSM_NAME)
    assert anthropic(handler, "ssm-key-1").status == 200
    assert anthropic(handler, "wrong").status == 401


@pytest.mark.parametrize("store", ["ssm", "secretsmanager"])
def test_read_once_per_max_age_and_rotation_picked_up_after_it(
    aws: None, load_handler: HandlerLoader, clock: type[Clock], store: str
) -> None:
    ssm = boto3.client("ssm", region_name="us-east-1")
    secrets = boto3.client("secretsmanager", region_name="us-east-1")
    if store == "ssm":
        ssm.put_parameter(Name=SSM_NAME, Value="old-key", Type="SecureString")
        env = {"API_KEY_SSM_PARAMETER": SSM_NAME}
    else:
        arn = secrets.create_secret(Name="api-key", SecretString="old-key")["ARN"]
        env = {"API_KEY_SECRETSMANAGER_SECRET": arn}
    handler = load_handler("list_models", API_KEY_CACHE_SECONDS="300", **env)
    assert anthropic(handler, "old-key").status == 200

    # Count the reads from here on, on the client Powertools made for itself.
    provider = DEFAULT_PROVIDERS["ssm" if store == "ssm" else "secrets"]
    reads: list[str] = []
    provider.client.meta.events.register("before-call.*.*", lambda model, **_: reads.append(model.name))

    if store == "ssm":
        ssm.put_parameter(Name=SSM_NAME, Value="new-key", Type="SecureString", Overwrite=True)
    else:
        secrets.put_secret_value(SecretId=arn, SecretString="new-key")
    for _ in range(10):
        assert anthropic(handler, "old-key").status == 200  # still the cached key
    assert anthropic(handler, "new-key").status == 401
    assert reads == []

    clock.now += timedelta(seconds=301)
    assert anthropic(handler, "new-key").status == 200
    assert anthropic(handler, "old-key").status == 401
    assert reads == ["GetParameter" if store == "ssm" else "GetSecretValue"]


@pytest.mark.parametrize(
    ("env", "setup"),
    [
        ({"API_KEY_SECRETSMANAGER_SECRET": "no-such-secret"}, None),
        ({"API_KEY_SSM_PARAMETER": "/no/such/parameter"}, None),
        ({"API_KEY_SECRETSMANAGER_SECRET": "blank"}, "blank"),
    ],
)
def test_an_unreadable_key_refuses_every_request(
    aws: None, load_handler: HandlerLoader, env: dict[str, str], setup: str | None
) -> None:
    if setup == "blank":
        boto3.client("secretsmanager", region_name="us-east-1").create_secret(Name="blank", SecretString="  ")
    handler = load_handler("list_models", **env)
    event = with_key("anthropic_list_models", "anything")
    reply = invoke(handler, event)
    assert reply.status == 503 and reply.body["error"]["type"] == "overloaded_error"
    assert reply.headers["request-id"] == event["requestContext"]["requestId"]
    assert "no-such" not in str(reply.body) and "blank" not in str(reply.body)
    openai = invoke(handler, request("openai_list_models"))
    assert openai.status == 503 and openai.body["error"]["type"] == "service_unavailable"


def test_a_failed_read_is_not_retried_for_a_few_seconds(aws: None) -> None:
    now = [1000.0]
    keys = ParameterApiKey("ssm", SSM_NAME, max_age=300, clock=lambda: now[0])
    with pytest.raises(SecretUnavailableError):
        keys.current()  # no such parameter yet
    provider = DEFAULT_PROVIDERS["ssm"]
    reads: list[str] = []
    provider.client.meta.events.register("before-call.*.*", lambda model, **_: reads.append(model.name))
    boto3.client("ssm", region_name="us-east-1").put_parameter(Name=SSM_NAME, Value="k", Type="SecureString")

    now[0] += FAILURE_CACHE_SECONDS - 0.1
    with pytest.raises(SecretUnavailableError, match="could not be read from ssm"):
        keys.current()  # still within the window: refused at once
    assert reads == []
    now[0] += 0.2
    assert keys.current() == "k"
    assert reads == ["GetParameter"]
