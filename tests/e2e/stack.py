"""Where the deployed API is and its key: from the stack's outputs (CloudFormation) and the key's secret
(Secrets Manager), or given directly (E2E_BASE_URL, E2E_API_KEY) for any running server."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Endpoint:
    base_url: str
    api_key: str
    anthropic_base_url: str | None
    openai_base_url: str
    refresh_function: str | None = None

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path


def stack_outputs(cloudformation: Any, stack_name: str) -> dict[str, str]:
    (stack,) = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def endpoint_of_stack(cloudformation: Any, secretsmanager: Any, stack_name: str) -> Endpoint:
    outputs = stack_outputs(cloudformation, stack_name)
    secret = secretsmanager.get_secret_value(SecretId=outputs["ApiKeySecretArn"])["SecretString"]
    return Endpoint(
        base_url=outputs["ApiUrl"],
        api_key=secret.strip(),
        anthropic_base_url=outputs.get("AnthropicBaseUrl"),
        openai_base_url=outputs["OpenAIBaseUrl"],
        refresh_function=outputs.get("RefreshFunctionName"),
    )


def endpoint_of_url(environ: Mapping[str, str]) -> Endpoint:
    """E2E_BASE_URL (e.g. http://127.0.0.1:3000 for `make serve`) with the default route prefixes."""
    base = environ["E2E_BASE_URL"].rstrip("/")
    return Endpoint(
        base_url=base,
        api_key=environ.get("E2E_API_KEY", ""),
        anthropic_base_url=base + environ.get("E2E_ANTHROPIC_PREFIX", "/anthropic"),
        openai_base_url=base + environ.get("E2E_OPENAI_PREFIX", "") + "/v1",
    )
