"""The e2e tier runs against a deployed stack: `AWS_SAM_STACK_NAME=<stack> make e2e` (AWS credentials and
region as for the AWS CLI). Without it every test here is skipped. `E2E_BASE_URL` (and `E2E_API_KEY`)
point the same tests at any running server instead, e.g. `make serve`."""

from __future__ import annotations

import os

import pytest

from tests.e2e.stack import Endpoint, endpoint_of_stack, endpoint_of_url


@pytest.fixture(autouse=True)
def aws_sandbox() -> None:
    """Replaces the sandbox of tests/conftest.py: these tests use the caller's real AWS credentials."""


@pytest.fixture(scope="session")
def endpoint() -> Endpoint:
    stack_name = os.environ.get("AWS_SAM_STACK_NAME")
    if stack_name:
        import boto3

        session = boto3.session.Session()
        return endpoint_of_stack(session.client("cloudformation"), session.client("secretsmanager"), stack_name)
    if os.environ.get("E2E_BASE_URL"):
        return endpoint_of_url(os.environ)
    pytest.skip("e2e: set AWS_SAM_STACK_NAME to the deployed stack's name (or E2E_BASE_URL)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
