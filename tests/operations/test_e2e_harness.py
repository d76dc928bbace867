"""The e2e tier finds the deployed API from the stack outputs and the key from Secrets Manager; here
CloudFormation is stubbed at the boto3 boundary and the secret lives in moto."""

from __future__ import annotations

import datetime
from typing import Any

import boto3
from botocore.stub import Stubber
from moto import mock_aws

from tests.e2e.stack import endpoint_of_stack, endpoint_of_url

API = "https://abc123.execute-api.eu-west-1.amazonaws.com"


def outputs(secret_arn: str) -> list[dict[str, str]]:
    return [
        {"OutputKey": "ApiUrl", "OutputValue": API},
        {"OutputKey": "AnthropicBaseUrl", "OutputValue": API + "/anthropic"},
        {"OutputKey": "OpenAIBaseUrl", "OutputValue": API + "/v1"},
        {"OutputKey": "ApiKeySecretArn", "OutputValue": secret_arn},
        {"OutputKey": "RefreshFunctionName", "OutputValue": "catalog-RefreshCatalogFunction-XYZ"},
    ]


def test_endpoint_from_the_stack_outputs_and_the_secret() -> None:
    with mock_aws():
        secrets = boto3.client("secretsmanager", region_name="eu-west-1")
        arn = secrets.create_secret(Name="catalog-key", SecretString="s3cr3t-key\n")["ARN"]
        cloudformation = boto3.client("cloudformation", region_name="eu-west-1")
        stub = Stubber(cloudformation)
        stack: dict[str, Any] = {
            "StackName": "catalog",
            "CreationTime": datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC),
            "StackStatus": "CREATE_COMPLETE",
            "Outputs": outputs(arn),
        }
        stub.add_response("describe_stacks", {"Stacks": [stack]}, {"StackName": "catalog"})
        with stub:
            endpoint = endpoint_of_stack(cloudformation, secrets, "catalog")
        stub.assert_no_pending_responses()
    assert endpoint.base_url == API
    assert endpoint.api_key == "s3cr3t-key"
    assert endpoint.anthropic_base_url == API + "/anthropic"
    assert endpoint.openai_base_url == API + "/v1"
    assert endpoint.refresh_function == "catalog-RefreshCatalogFunction-XYZ"
    assert endpoint.url("/docs") == API + "/docs"


def test_endpoint_from_a_url() -> None:
    endpoint = endpoint_of_url({"E2E_BASE_URL": "http://127.0.0.1:3000/", "E2E_API_KEY": "k"})
    assert endpoint.anthropic_base_url == "http://127.0.0.1:3000/anthropic"
    assert endpoint.openai_base_url == "http://127.0.0.1:3000/v1"
    assert endpoint.refresh_function is None
