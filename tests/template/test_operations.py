"""template.yaml, operations: SnapStart behind an alias, log retention, access logs, throttling, CORS,
alarms on the metrics the code really emits, and a dashboard that parses."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from local.cfn import load_template
from model_catalog.adapters import metrics as emf
from model_catalog.api.delivery import CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS
from model_catalog.observability import SERVICE, metrics
from tests.template.test_template import FUNCTIONS, TEMPLATE_PATH, function_setting

ROOT = Path(__file__).resolve().parents[2]
API_FUNCTIONS = [name for name in FUNCTIONS if name != "RefreshCatalogFunction"]


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template(TEMPLATE_PATH)


def test_functions_publish_versions_behind_an_alias_with_snapstart(template: dict[str, Any]) -> None:
    function_globals = template["Globals"]["Function"]
    assert function_globals["AutoPublishAlias"] == "live"
    assert function_globals["SnapStart"] == {"ApplyOn": {"Ref": "SnapStart"}}
    assert template["Parameters"]["SnapStart"]["Default"] == "PublishedVersions"
    for name in API_FUNCTIONS:
        assert function_setting(template, name, "SnapStart") == {"ApplyOn": {"Ref": "SnapStart"}}
    # The refresher runs in the background: a snapshot would cost without saving anyone a wait.
    assert template["Resources"]["RefreshCatalogFunction"]["Properties"]["SnapStart"] == {"ApplyOn": "None"}


def test_logs_are_kept_for_the_retention_parameter(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    assert template["Globals"]["Function"]["LoggingConfig"] == {"LogGroup": {"Ref": "FunctionLogGroup"}}
    for name in ("FunctionLogGroup", "ApiAccessLogGroup"):
        assert resources[name]["Type"] == "AWS::Logs::LogGroup"
        assert resources[name]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert template["Parameters"]["LogRetentionDays"]["Default"] == 30


def test_api_throttling_access_logs_and_cors_come_from_parameters(template: dict[str, Any]) -> None:
    api = template["Resources"]["HttpApi"]["Properties"]
    assert api["DefaultRouteSettings"] == {
        "ThrottlingRateLimit": {"Ref": "ApiThrottlingRateLimit"},
        "ThrottlingBurstLimit": {"Ref": "ApiThrottlingBurstLimit"},
    }
    condition, logs, off = api["AccessLogSettings"]["Fn::If"]
    assert condition == "AccessLogsOn" and off == {"Ref": "AWS::NoValue"}
    assert logs["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    assert json.loads(logs["Format"])["status"] == "$context.status"
    condition, cors, off = api["CorsConfiguration"]["Fn::If"]
    assert condition == "CorsOn" and off == {"Ref": "AWS::NoValue"}
    assert cors["AllowOrigins"] == {"Fn::Split": [",", {"Ref": "CorsAllowOrigins"}]}
    assert "x-api-key" in cors["AllowHeaders"] and "etag" in cors["ExposeHeaders"]
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["CORS_ALLOW_ORIGINS"] == {"Ref": "CorsAllowOrigins"}


def test_api_gateway_allows_the_headers_the_functions_allow(template: dict[str, Any]) -> None:
    """Deployed, API Gateway's CORS configuration replaces the functions' CORS headers: the lists must agree."""
    _, cors, _ = template["Resources"]["HttpApi"]["Properties"]["CorsConfiguration"]["Fn::If"]
    assert set(cors["AllowHeaders"]) == {"authorization", "content-type", "x-api-key", *CORS_ALLOW_HEADERS}
    assert set(cors["ExposeHeaders"]) == set(CORS_EXPOSE_HEADERS)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("", True),
        ("*", True),
        ("https://app.example.com", True),
        ("https://a.example.com,http://localhost:5173", True),
        ("https://a.example.com, https://b.example.com", False),
        ("https://a.example.com/path", False),
        ("app.example.com", False),
    ],
)
def test_cors_parameter_pattern(template: dict[str, Any], value: str, valid: bool) -> None:
    pattern = template["Parameters"]["CorsAllowOrigins"]["AllowedPattern"]
    assert bool(re.fullmatch(pattern, value)) is valid


def alarm_metrics(alarm: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {
        query["Id"]: (query["MetricStat"]["Metric"]["Namespace"], query["MetricStat"]["Metric"]["MetricName"])
        for query in alarm["Properties"]["Metrics"]
        if "MetricStat" in query
    }


def test_refresh_failure_alarm_watches_the_emitted_metric_and_the_refresher(template: dict[str, Any]) -> None:
    alarm = template["Resources"]["RefreshFailuresAlarm"]
    assert alarm_metrics(alarm) == {
        "regions": (metrics.namespace, emf.REFRESH_FAILURES),
        "errors": ("AWS/Lambda", "Errors"),
    }
    queries = {q["Id"]: q for q in alarm["Properties"]["Metrics"]}
    dimensions = queries["regions"]["MetricStat"]["Metric"]["Dimensions"]
    assert dimensions == [{"Name": "service", "Value": SERVICE}]
    assert queries["errors"]["MetricStat"]["Metric"]["Dimensions"][0]["Value"] == {"Ref": "RefreshCatalogFunction"}
    assert alarm["Properties"]["AlarmActions"] == {
        "Fn::If": ["AlarmEmailGiven", [{"Ref": "AlarmTopic"}], {"Ref": "AWS::NoValue"}]
    }


def test_error_rate_alarm_is_a_share_of_requests(template: dict[str, Any]) -> None:
    alarm = template["Resources"]["ApiErrorRateAlarm"]
    assert alarm_metrics(alarm) == {"failed": ("AWS/ApiGateway", "5xx"), "requests": ("AWS/ApiGateway", "Count")}
    (expression,) = [q["Expression"] for q in alarm["Properties"]["Metrics"] if "Expression" in q]
    assert "100 * FILL(failed, 0) / requests" in expression
    assert alarm["Properties"]["Threshold"] == {"Ref": "ErrorRateAlarmPercent"}


def dashboard(template: dict[str, Any]) -> dict[str, Any]:
    body = template["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    # What CloudFormation substitutes: ${Resource}, ${Resource.Attr}, ${AWS::Region}.
    document: dict[str, Any] = json.loads(re.sub(r"\$\{[A-Za-z0-9:.]+\}", "x", body))
    return document


def test_dashboard_is_json_and_shows_the_emitted_metrics(template: dict[str, Any]) -> None:
    widgets = dashboard(template)["widgets"]
    shown = json.dumps(widgets)
    for name in (*emf.CACHE_HIT_METRICS.values(), emf.STALE_RESPONSES, emf.REFRESH_DURATION, emf.REFRESH_FAILURES):
        assert f'"{name}"' in shown, name
    expressions = [
        entry["expression"]
        for widget in widgets
        for line in widget["properties"].get("metrics", [])
        for entry in line
        if isinstance(entry, dict) and "expression" in entry
    ]
    for name in (emf.BEDROCK_CALLS, emf.BEDROCK_FAILURES):
        assert any(f'MetricName="{name}"' in e and "region" in e for e in expressions), name
    assert metrics.namespace in shown and SERVICE in shown
    assert {w["type"] for w in widgets} == {"metric", "alarm", "log"}
