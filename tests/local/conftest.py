"""A tiny SAM project in tmp_path (template, two functions both named app.py, a layer) for the local
server's tests, so they need none of the real handlers."""

from __future__ import annotations

from pathlib import Path

import pytest

TEMPLATE = """\
AWSTemplateFormatVersion: 2010-09-09
Transform:
  - AWS::LanguageExtensions
  - AWS::Serverless-2016-10-31
Parameters:
  AnthropicRoutesPrefix:
    Type: String
    Default: /anthropic
  OpenAIRoutesPrefix:
    Type: String
    Default: ""
  Greeting:
    Type: String
    Default: hello
Conditions:
  AnthropicOn: !Not [!Equals [!Ref AnthropicRoutesPrefix, !Ref OpenAIRoutesPrefix]]
Globals:
  Function:
    Runtime: python3.13
    Handler: app.lambda_handler
    Timeout: 10
    Layers:
      - !Ref StubLayer
    Environment:
      Variables:
        ANTHROPIC_ROUTES_PREFIX: !Ref AnthropicRoutesPrefix
        OPENAI_ROUTES_PREFIX: !Ref OpenAIRoutesPrefix
        GREETING: !Sub "${Greeting}, world"
        TABLE_NAME: !Ref Table
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
  Table:
    Type: AWS::DynamoDB::Table
  StubLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layer/
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/echo/
      MemorySize: 256
      Events:
        AnthropicList: !If
          - AnthropicOn
          - Type: HttpApi
            Properties:
              ApiId: !Ref Api
              Method: GET
              Path: !Sub ${AnthropicRoutesPrefix}/v1/models
          - !Ref AWS::NoValue
        OpenAIList:
          Type: HttpApi
          Properties:
            ApiId: !Ref Api
            Method: GET
            Path: !Sub ${OpenAIRoutesPrefix}/v1/models
        Item:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Method: GET, Path: "/items/{item_id}"}
        Post:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Method: POST, Path: /echo}
  OtherFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/other/
      Events:
        Fixed:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Method: GET, Path: /items/fixed}
        Nightly:
          Type: Schedule
          Properties: {Schedule: rate(1 day)}
"""

ECHO = '''\
"""Echoes the event; some item ids ask for special answers."""
import base64
import json
import os

import stub_layer_helpers

NAMES = ("GREETING", "ANTHROPIC_ROUTES_PREFIX", "TABLE_NAME", "CATALOG_SNAPSHOT", "CATALOG_SOURCE", "EXTRA")
IMPORT_ENV = {name: os.environ.get(name) for name in NAMES}


def lambda_handler(event, context):
    item = (event.get("pathParameters") or {}).get("item_id")
    if item == "boom":
        raise RuntimeError("boom")
    if item == "binary":
        return {"statusCode": 200, "headers": {"content-type": "application/octet-stream"},
                "body": base64.b64encode(bytes([0, 255, 1])).decode(), "isBase64Encoded": True}
    if item == "headers":
        return {"statusCode": 201, "headers": {"X-Custom": "a", "X-Number": "5"}, "body": ""}
    if item == "badstatus":
        return {"statusCode": "teapot"}
    context_view = {name: getattr(context, name) for name in
                    ("function_name", "memory_limit_in_mb", "invoked_function_arn", "aws_request_id")}
    body = {"event": event, "import_env": IMPORT_ENV, "layer": stub_layer_helpers.NAME,
            "layer_greeting": stub_layer_helpers.GREETING_AT_IMPORT,
            "context": context_view, "remaining_ms": context.get_remaining_time_in_millis()}
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(body)}
'''

OTHER = """\
import json


def lambda_handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps({"function": "other", "routeKey": event["routeKey"]})}
"""


@pytest.fixture
def stub_project(tmp_path: Path) -> Path:
    """The path of the stub project's template.yaml."""
    (tmp_path / "functions" / "echo").mkdir(parents=True)
    (tmp_path / "functions" / "other").mkdir(parents=True)
    (tmp_path / "layer").mkdir()
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    (tmp_path / "functions" / "echo" / "app.py").write_text(ECHO)
    (tmp_path / "functions" / "other" / "app.py").write_text(OTHER)
    layer_module = 'import os\n\nNAME = "stub layer"\nGREETING_AT_IMPORT = os.environ.get("GREETING")\n'
    (tmp_path / "layer" / "stub_layer_helpers.py").write_text(layer_module)
    return tmp_path / "template.yaml"


@pytest.fixture(autouse=True)
def no_aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials and no AWS config anywhere, unless a test sets them."""
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "CATALOG_SNAPSHOT",
        "CATALOG_SOURCE",
        "AWS_BEDROCK_REGIONS",
        "API_KEY",
        "PORT",
        "ANTHROPIC_ROUTES_PREFIX",
        "OPENAI_ROUTES_PREFIX",
        "GREETING",
        "EXTRA",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
