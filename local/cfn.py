"""Just enough CloudFormation to read template.yaml locally: what the template uses, nothing more.

- `load_template`: YAML with the short tags (!Ref, !Sub, !If, ...) turned into their long forms.
- `TemplateContext`: parameter values, conditions (Fn::Equals, Fn::Not) and the intrinsics the functions'
  properties use (Ref to a parameter or pseudo parameter, Fn::Sub, Fn::If, Ref AWS::NoValue). A Ref to a
  resource or Fn::GetAtt has no local value and raises `Unresolvable`.

A parameter's value is, in order: an explicit override, the environment variable that the template maps
to that parameter (`VAR: !Ref Param`) when it is set, else the parameter's Default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

NO_VALUE: Any = object()
"""What `Ref: AWS::NoValue` resolves to: the caller drops the key or list item that holds it."""

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class Unresolvable(Exception):
    """The value depends on something that exists only once deployed."""


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader with the CloudFormation tags, and no YAML timestamps (`2010-09-09` stays a string)."""


_CfnLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        return {"Fn::GetAtt": value.split(".", 1)}
    return {f"Fn::{tag_suffix}": value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


def loads_template(text: str) -> dict[str, Any]:
    data = yaml.load(text, Loader=_CfnLoader)  # noqa: S506 - a SafeLoader subclass
    if not isinstance(data, dict):
        raise ValueError("a CloudFormation template is a mapping")
    return data


def load_template(path: Path) -> dict[str, Any]:
    return loads_template(path.read_text(encoding="utf-8"))


@dataclass
class TemplateContext:
    """A template plus the values that its parameters, conditions and pseudo parameters take here."""

    template: dict[str, Any]
    parameters: dict[str, str]
    pseudo: dict[str, str] = field(default_factory=dict)

    @classmethod
    def create(
        cls, template: dict[str, Any], environ: Mapping[str, str], overrides: Mapping[str, str] | None = None
    ) -> TemplateContext:
        by_env = parameter_env_vars(template)
        values: dict[str, str] = {}
        for name, spec in (template.get("Parameters") or {}).items():
            from_env = [environ[var] for var in by_env.get(name, []) if var in environ]
            if overrides and name in overrides:
                values[name] = str(overrides[name])
            elif from_env:
                values[name] = from_env[0]
            else:
                values[name] = _scalar_text((spec or {}).get("Default", ""))
        pseudo = {"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com", "AWS::StackName": "local"}
        region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
        if region:
            pseudo["AWS::Region"] = region
        return cls(template=template, parameters=values, pseudo=pseudo)

    @property
    def resources(self) -> dict[str, Any]:
        resources: dict[str, Any] = self.template.get("Resources") or {}
        return resources

    def condition(self, name: str) -> bool:
        conditions = self.template.get("Conditions") or {}
        if name not in conditions:
            raise KeyError(f"unknown condition {name!r}")
        return self._condition_value(conditions[name])

    def _condition_value(self, node: Any) -> bool:
        if isinstance(node, dict) and set(node) == {"Fn::Equals"}:
            left, right = (_scalar_text(self.resolve(item)) for item in node["Fn::Equals"])
            return left == right
        if isinstance(node, dict) and set(node) == {"Fn::Not"}:
            return not self._condition_value(node["Fn::Not"][0])
        raise Unresolvable(f"condition {node!r}")

    def resolve(self, node: Any) -> Any:
        """The local value of a template fragment; `NO_VALUE` for Ref AWS::NoValue."""
        if isinstance(node, list):
            items = (self.resolve(item) for item in node)
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if set(node) == {"Ref"}:
            return self._ref(node["Ref"])
        if set(node) == {"Fn::If"}:
            name, when_true, when_false = node["Fn::If"]
            return self.resolve(when_true if self.condition(name) else when_false)
        if set(node) == {"Fn::Sub"}:
            return _SUB_VARIABLE.sub(self._sub_variable, _scalar_text(node["Fn::Sub"]))
        if len(node) == 1 and str(next(iter(node))).startswith("Fn::"):
            raise Unresolvable(next(iter(node)))
        resolved = {key: self.resolve(value) for key, value in node.items()}
        return {key: value for key, value in resolved.items() if value is not NO_VALUE}

    def _ref(self, name: Any) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.parameters:
            return self.parameters[name]
        if name in self.pseudo:
            return self.pseudo[name]
        raise Unresolvable(f"Ref {name}")

    def _sub_variable(self, match: re.Match[str]) -> str:
        name = match.group(1).strip()
        if "." in name:  # ${Resource.Attribute}
            raise Unresolvable(f"Fn::Sub ${{{name}}}")
        return _scalar_text(self._ref(name))


def parameter_env_vars(template: Mapping[str, Any]) -> dict[str, list[str]]:
    """Parameter name -> the environment variables that the template sets to exactly `!Ref Parameter`."""
    parameters = template.get("Parameters") or {}
    functions = [r for r in (template.get("Resources") or {}).values() if r.get("Type") == "AWS::Serverless::Function"]
    blocks = [(template.get("Globals") or {}).get("Function") or {}] + [r.get("Properties") or {} for r in functions]
    mapping: dict[str, list[str]] = {}
    for block in blocks:
        for var, value in ((block.get("Environment") or {}).get("Variables") or {}).items():
            if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in parameters:
                names = mapping.setdefault(value["Ref"], [])
                if var not in names:
                    names.append(var)
    return mapping


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        raise Unresolvable(f"not a scalar: {value!r}")
    return "" if value is None else str(value)
