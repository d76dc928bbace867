"""local.cfn: the CloudFormation YAML tags, parameter values and the intrinsics template.yaml's functions use."""

from __future__ import annotations

import pytest

from local.cfn import NO_VALUE, TemplateContext, Unresolvable, loads_template, parameter_env_vars

TEMPLATE = """\
AWSTemplateFormatVersion: 2010-09-09
Parameters:
  Prefix: {Type: String, Default: /anthropic}
  Other: {Type: String, Default: ""}
  Size: {Type: Number, Default: 900}
Conditions:
  Differ: !Not [!Equals [!Ref Prefix, !Ref Other]]
  Big: !Equals [!Ref Size, 900]
Globals:
  Function:
    Environment:
      Variables:
        PREFIX_VAR: !Ref Prefix
        SIZE: !Ref Size
        PATH: !Sub ${Prefix}/v1
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          ALSO_PREFIX: !Ref Prefix
          ARN: !GetAtt Table.Arn
"""


Env = dict[str, str]


def context(environ: Env | None = None, overrides: Env | None = None) -> TemplateContext:
    return TemplateContext.create(loads_template(TEMPLATE), environ or {}, overrides)


def test_short_tags_become_long_forms() -> None:
    template = loads_template(TEMPLATE)
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["PREFIX_VAR"] == {"Ref": "Prefix"}
    assert variables["PATH"] == {"Fn::Sub": "${Prefix}/v1"}
    arn = template["Resources"]["Fn"]["Properties"]["Environment"]["Variables"]["ARN"]
    assert arn == {"Fn::GetAtt": ["Table", "Arn"]}
    assert template["Conditions"]["Big"] == {"Fn::Equals": [{"Ref": "Size"}, 900]}
    # YAML timestamps stay strings, as CloudFormation reads them.
    assert template["AWSTemplateFormatVersion"] == "2010-09-09"


def test_parameters_take_their_defaults() -> None:
    ctx = context()
    assert ctx.parameters == {"Prefix": "/anthropic", "Other": "", "Size": "900"}
    assert ctx.resolve({"Fn::Sub": "${Prefix}/v1/models"}) == "/anthropic/v1/models"


def test_a_parameter_takes_the_value_of_the_env_var_mapped_to_it() -> None:
    ctx = context({"PREFIX_VAR": "/claude", "SIZE": "60", "UNRELATED": "x"})
    assert ctx.parameters["Prefix"] == "/claude"
    assert ctx.parameters["Size"] == "60"
    # The function-level mapping counts too.
    assert context({"ALSO_PREFIX": "/fn"}).parameters["Prefix"] == "/fn"
    # Set but empty is a value.
    assert context({"PREFIX_VAR": ""}).parameters["Prefix"] == ""


def test_overrides_beat_env_vars() -> None:
    ctx = context({"PREFIX_VAR": "/from-env"}, {"Prefix": "/override"})
    assert ctx.parameters["Prefix"] == "/override"


def test_parameter_env_vars_lists_only_plain_refs() -> None:
    mapping = parameter_env_vars(loads_template(TEMPLATE))
    assert mapping == {"Prefix": ["PREFIX_VAR", "ALSO_PREFIX"], "Size": ["SIZE"]}


def test_conditions() -> None:
    assert context().condition("Differ") is True
    assert context().condition("Big") is True
    assert context({"PREFIX_VAR": ""}).condition("Differ") is False
    assert context({"SIZE": "1"}).condition("Big") is False
    with pytest.raises(KeyError):
        context().condition("Missing")


def test_if_and_no_value() -> None:
    ctx = context({"PREFIX_VAR": ""})
    assert ctx.resolve({"Fn::If": ["Differ", "yes", "no"]}) == "no"
    node = {"keep": 1, "drop": {"Fn::If": ["Differ", "x", {"Ref": "AWS::NoValue"}]}}
    assert ctx.resolve(node) == {"keep": 1}
    assert ctx.resolve([1, {"Ref": "AWS::NoValue"}, 2]) == [1, 2]
    assert ctx.resolve({"Ref": "AWS::NoValue"}) is NO_VALUE


def test_sub_takes_parameters_and_pseudo_parameters() -> None:
    ctx = context({"AWS_REGION": "eu-west-1"})
    assert ctx.resolve({"Fn::Sub": "${Prefix}-${AWS::Region}"}) == "/anthropic-eu-west-1"


def test_what_exists_only_once_deployed_is_unresolvable() -> None:
    ctx = context()
    for node in (
        {"Ref": "Table"},
        {"Fn::GetAtt": ["Table", "Arn"]},
        {"Fn::Sub": "${Table.Arn}"},
        {"Fn::Join": ["-", ["a", "b"]]},  # not used by the template's functions
        {"Ref": "AWS::Region"},  # no AWS_REGION in this environment
    ):
        with pytest.raises(Unresolvable):
            ctx.resolve(node)
