"""template.yaml: the deployment promises (runtime, architecture, layer, cache table, IAM, outputs) and
the routes it gives for the prefix parameters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from local.api import LocalApi
from local.cfn import load_template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = ROOT / "template.yaml"

# The only actions allowed on Resource "*": they support no resource type in IAM.
STAR_ONLY_ACTIONS = {
    "bedrock:ListFoundationModels",
    "bedrock:ListInferenceProfiles",
    "bedrock:GetFoundationModelAvailability",  # the access check: a read, never an invoke or a subscribe
}

FUNCTIONS = {
    "ListModelsFunction": "functions/list_models/",
    "GetModelFunction": "functions/get_model/",
    "SearchModelsFunction": "functions/search_models/",
    "McpServerFunction": "functions/mcp_server/",
    "RefreshCatalogFunction": "functions/refresh_catalog/",
    "DocsFunction": "functions/docs/",
}
# The functions that read the catalog; the docs function touches no AWS service.
CATALOG_FUNCTIONS = [name for name in FUNCTIONS if name != "DocsFunction"]


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template(TEMPLATE_PATH)


def resources_of(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: res for name, res in template["Resources"].items() if res["Type"] == kind}


def function_setting(template: dict[str, Any], name: str, key: str) -> Any:
    props = template["Resources"][name]["Properties"]
    return props.get(key, template["Globals"]["Function"].get(key))


def test_transforms_resolve_intrinsics_before_sam(template: dict[str, Any]) -> None:
    assert template["Transform"] == ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"]


def test_functions_layout(template: dict[str, Any]) -> None:
    functions = resources_of(template, "AWS::Serverless::Function")
    assert {name: fn["Properties"]["CodeUri"] for name, fn in functions.items()} == FUNCTIONS
    for name in functions:
        assert function_setting(template, name, "Handler") == "app.lambda_handler"
        assert function_setting(template, name, "Runtime") == "python3.13"
        assert function_setting(template, name, "Architectures") == ["arm64"]


def test_every_function_has_the_shared_layer(template: dict[str, Any]) -> None:
    (layer_name, layer) = next(iter(resources_of(template, "AWS::Serverless::LayerVersion").items()))
    assert layer["Properties"]["ContentUri"] == "layers/catalog/"
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.13"]
    assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]
    assert layer["Metadata"] == {"BuildMethod": "makefile", "BuildArchitecture": "arm64"}
    for name in FUNCTIONS:
        assert {"Ref": layer_name} in function_setting(template, name, "Layers")


def test_environment_is_wired_to_parameters(template: dict[str, Any]) -> None:
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["ANTHROPIC_ROUTES_PREFIX"] == {"Ref": "AnthropicRoutesPrefix"}
    assert variables["OPENAI_ROUTES_PREFIX"] == {"Ref": "OpenAIRoutesPrefix"}
    assert variables["MODEL_CACHE_SECONDS"] == {"Ref": "ModelCacheSeconds"}
    assert variables["MODEL_CACHE_MAX_STALE_SECONDS"] == {"Ref": "ModelCacheMaxStaleSeconds"}
    regions = {"Fn::If": ["RegionsGiven", {"Ref": "Regions"}, {"Ref": "AWS::Region"}]}
    assert variables["AWS_BEDROCK_REGIONS"] == regions
    assert variables["CACHE_TABLE_NAME"] == {"Ref": "CacheTable"}
    assert variables["API_KEY_SECRETSMANAGER_SECRET"] == {"Ref": "ApiKeySecret"}
    for name in ("MCP_INCLUDE_TOOLS", "MCP_EXCLUDE_TOOLS", "POWERTOOLS_SERVICE_NAME", "LOG_LEVEL"):
        assert name in variables
    parameters = template["Parameters"]
    assert parameters["AnthropicRoutesPrefix"]["Default"] == "/anthropic"
    assert parameters["OpenAIRoutesPrefix"]["Default"] == ""
    assert parameters["ModelCacheSeconds"]["Default"] == 900
    assert parameters["ModelCacheMaxStaleSeconds"]["Default"] == 86400
    assert variables["ACCESS_CHECK"] == {"Ref": "AccessCheck"}
    assert variables["ACCESS_CHECK_SECONDS"] == {"Ref": "AccessCheckSeconds"}
    assert variables["MARKETPLACE_AUTO_SUBSCRIBE"] == {"Ref": "MarketplaceAutoSubscribe"}
    assert parameters["AccessCheck"] == {
        **parameters["AccessCheck"],
        "Default": "true",
        "AllowedValues": ["true", "false"],
    }
    assert parameters["AccessCheckSeconds"]["Default"] == 86400
    assert parameters["MarketplaceAutoSubscribe"]["Default"] == "false"


def test_cache_table_is_on_demand_with_ttl(template: dict[str, Any]) -> None:
    table = template["Resources"]["CacheTable"]
    assert table["Type"] == "AWS::DynamoDB::Table"
    props = table["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert props["AttributeDefinitions"] == [{"AttributeName": "pk", "AttributeType": "S"}]
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


def test_api_key_secret_is_generated(template: dict[str, Any]) -> None:
    secret = template["Resources"]["ApiKeySecret"]
    assert secret["Type"] == "AWS::SecretsManager::Secret"
    assert "GenerateSecretString" in secret["Properties"]
    assert "SecretString" not in secret["Properties"]


def policy_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = []
    for res in template["Resources"].values():
        props = res.get("Properties") or {}
        if res["Type"] in ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy"):
            statements.extend(props["PolicyDocument"]["Statement"])
        if res["Type"] == "AWS::IAM::Role":
            for policy in props.get("Policies") or []:
                statements.extend(policy["PolicyDocument"]["Statement"])
        if res["Type"] == "AWS::Serverless::Function":
            for policy in props.get("Policies") or []:
                if isinstance(policy, dict) and "Statement" in policy:
                    statements.extend(policy["Statement"])
    return statements


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_iam_is_least_privilege(template: dict[str, Any]) -> None:
    statements = policy_statements(template)
    assert statements
    granted: dict[str, list[Any]] = {}
    for statement in statements:
        assert statement["Effect"] == "Allow"
        actions = as_list(statement["Action"])
        resources = as_list(statement["Resource"])
        for action in actions:
            assert "*" not in action, action
            granted.setdefault(action, []).extend(resources)
        if "*" in resources:
            assert set(actions) <= STAR_ONLY_ACTIONS, actions
    assert set(granted) == STAR_ONLY_ACTIONS | {
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:PutItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:DeleteItem",
        "dynamodb:Query",
        "secretsmanager:GetSecretValue",
    }
    for action, resources in granted.items():
        if action.startswith("dynamodb:"):
            assert resources == [{"Fn::GetAtt": ["CacheTable", "Arn"]}]
        if action.startswith("secretsmanager:"):
            assert resources == [{"Ref": "ApiKeySecret"}]


def test_every_function_gets_the_catalog_policy_and_nothing_broader(template: dict[str, Any]) -> None:
    for name in CATALOG_FUNCTIONS:
        assert template["Resources"][name]["Properties"]["Policies"] == [{"Ref": "CatalogAccessPolicy"}]
    assert "Policies" not in template["Resources"]["DocsFunction"]["Properties"]


def test_refresh_runs_on_a_schedule_one_at_a_time(template: dict[str, Any]) -> None:
    props = template["Resources"]["RefreshCatalogFunction"]["Properties"]
    assert props["ReservedConcurrentExecutions"] == 1
    (event,) = props["Events"].values()
    assert event["Type"] == "Schedule"
    assert event["Properties"]["Schedule"] == {"Ref": "RefreshSchedule"}


def test_outputs(template: dict[str, Any]) -> None:
    outputs = template["Outputs"]
    assert "execute-api" in outputs["ApiUrl"]["Value"]["Fn::Sub"]
    assert outputs["ApiKeySecretArn"]["Value"] == {"Ref": "ApiKeySecret"}
    assert "aws secretsmanager get-secret-value" in outputs["GetApiKeyCommand"]["Value"]["Fn::Sub"]
    assert outputs["AnthropicBaseUrl"]["Condition"] == "AnthropicModelsRoutesOn"


def routes(environ: dict[str, str]) -> set[str]:
    api = LocalApi.from_template(TEMPLATE_PATH, environ)
    return {f"{route.route_key} -> {route.target}" for route in api.routes}


def test_routes_with_the_default_prefixes() -> None:
    assert routes({}) == {
        "GET /anthropic/v1/models -> ListModelsFunction",
        "GET /v1/models -> ListModelsFunction",
        "GET /anthropic/v1/models/{model_id} -> GetModelFunction",
        "GET /v1/models/{model} -> GetModelFunction",
        "GET /search_models -> SearchModelsFunction",
        "GET /status -> SearchModelsFunction",
        "POST /mcp -> McpServerFunction",
        "GET /mcp -> McpServerFunction",
        "DELETE /mcp -> McpServerFunction",
        "GET /openapi.json -> DocsFunction",
        "GET /docs -> DocsFunction",
        "GET / -> DocsFunction",
        "$default -> ListModelsFunction",
    }


def test_routes_follow_the_prefixes() -> None:
    got = routes({"ANTHROPIC_ROUTES_PREFIX": "/claude", "OPENAI_ROUTES_PREFIX": "/openai"})
    assert "GET /claude/v1/models/{model_id} -> GetModelFunction" in got
    assert "GET /openai/v1/models -> ListModelsFunction" in got


@pytest.mark.parametrize("prefix", ["", "/api"])
def test_equal_prefixes_turn_the_anthropic_models_routes_off(prefix: str) -> None:
    got = routes({"ANTHROPIC_ROUTES_PREFIX": prefix, "OPENAI_ROUTES_PREFIX": prefix})
    assert got == {
        f"GET {prefix}/v1/models -> ListModelsFunction",
        f"GET {prefix}/v1/models/{{model}} -> GetModelFunction",
        "GET /search_models -> SearchModelsFunction",
        "GET /status -> SearchModelsFunction",
        "POST /mcp -> McpServerFunction",
        "GET /mcp -> McpServerFunction",
        "DELETE /mcp -> McpServerFunction",
        "GET /openapi.json -> DocsFunction",
        "GET /docs -> DocsFunction",
        "GET / -> DocsFunction",
        "$default -> ListModelsFunction",
    }


def test_the_local_environment_of_the_functions() -> None:
    api = LocalApi.from_template(TEMPLATE_PATH, {"AWS_REGION": "eu-west-1"})
    assert api.environment["ANTHROPIC_ROUTES_PREFIX"] == "/anthropic"
    assert api.environment["AWS_BEDROCK_REGIONS"] == "eu-west-1"
    # The table and the secret exist only once deployed: locally the app runs without them.
    assert "CACHE_TABLE_NAME" not in api.environment
    assert "API_KEY_SECRETSMANAGER_SECRET" not in api.environment
    assert api.layer_dirs == [ROOT / "layers" / "catalog"]


def test_the_access_check_is_granted_exactly_its_one_read(template: dict[str, Any]) -> None:
    """API.md: the template grants bedrock:GetFoundationModelAvailability, nothing broader (no invoke, no
    Marketplace subscription, no wildcard)."""
    bedrock = {
        action
        for statement in policy_statements(template)
        for action in as_list(statement["Action"])
        if action.startswith(("bedrock:", "aws-marketplace:"))
    }
    assert bedrock == {
        "bedrock:ListFoundationModels",
        "bedrock:ListInferenceProfiles",
        "bedrock:GetFoundationModelAvailability",
    }
    (statement,) = [s for s in policy_statements(template) if s.get("Sid") == "CheckModelAccess"]
    assert statement == {
        "Sid": "CheckModelAccess",
        "Effect": "Allow",
        "Action": "bedrock:GetFoundationModelAvailability",
        "Resource": "*",
    }
