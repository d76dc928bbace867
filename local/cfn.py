"""Just enough CloudFormation to read our SAM template locally.

- `load_template`: YAML with the CloudFormation short tags (!Ref, !Sub, !GetAtt, !If, ...), turned into
  their long forms ({"Ref": ...}, {"Fn::Sub": ...}).
- `TemplateContext`: parameter values, conditions and the intrinsic functions whose value is known
  before deployment (Ref to a parameter or pseudo parameter, Fn::Sub, Fn::If, Fn::Join, ...). A Ref to a
  resource, Fn::GetAtt or Fn::ImportValue has no local value and raises `Unresolvable`.

A parameter's value is, in order: an explicit override, the environment variable that the template's
Globals or Function Environment maps to that parameter (`VAR: !Ref Param`) when it is set, else the
parameter's Default.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

NO_VALUE: Any = object()
"""What `Ref: AWS::NoValue` resolves to: the caller drops the key or list item that holds it."""

_SUB_VARIABLE = re.compile(r"\$\{([^}!]*)\}")


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
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:  # pragma: no cover - yaml has no other node kinds
        problem = f"unexpected node for !{tag_suffix}"
        raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark)
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "Condition":
        return {"Condition": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        resource, _, attribute = value.partition(".")
        return {"Fn::GetAtt": [resource, attribute]}
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
    _conditions: dict[str, bool] = field(default_factory=dict, repr=False)

    @classmethod
    def create(
        cls,
        template: dict[str, Any],
        environ: Mapping[str, str],
        overrides: Mapping[str, str] | None = None,
    ) -> TemplateContext:
        declared: dict[str, Any] = template.get("Parameters") or {}
        by_env = parameter_env_vars(template)
        values: dict[str, str] = {}
        for name, spec in declared.items():
            if overrides and name in overrides:
                values[name] = str(overrides[name])
            elif by_env.get(name) and any(var in environ for var in by_env[name]):
                values[name] = next(environ[var] for var in by_env[name] if var in environ)
            else:
                values[name] = _scalar_text((spec or {}).get("Default", ""))
        region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or ""
        pseudo = {
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": "local",
            "AWS::AccountId": "000000000000",
        }
        if region:
            pseudo["AWS::Region"] = region
        return cls(template=template, parameters=values, pseudo=pseudo)

    @property
    def resources(self) -> dict[str, Any]:
        resources: dict[str, Any] = self.template.get("Resources") or {}
        return resources

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            conditions = self.template.get("Conditions") or {}
            if name not in conditions:
                raise KeyError(f"unknown condition {name!r}")
            self._conditions[name] = bool(self._condition_value(conditions[name]))
        return self._conditions[name]

    def _condition_value(self, node: Any) -> bool:
        if isinstance(node, dict) and len(node) == 1:
            ((key, arg),) = node.items()
            if key == "Condition":
                return self.condition(arg)
            if key == "Fn::Equals":
                left, right = (self.resolve(item) for item in arg)
                return _scalar_text(left) == _scalar_text(right)
            if key == "Fn::Not":
                return not self._condition_value(arg[0])
            if key == "Fn::And":
                return all(self._condition_value(item) for item in arg)
            if key == "Fn::Or":
                return any(self._condition_value(item) for item in arg)
        return bool(self.resolve(node))

    def resolve(self, node: Any) -> Any:
        """The local value of a template fragment; `NO_VALUE` for Ref AWS::NoValue."""
        if isinstance(node, list):
            items = (self.resolve(item) for item in node)
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, arg),) = node.items()
            if key == "Ref":
                return self._ref(arg)
            if key.startswith("Fn::") or key == "Condition":
                return self._function(key, arg)
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

    def _function(self, key: str, arg: Any) -> Any:
        if key == "Condition" or key in ("Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or"):
            return self._condition_value({key: arg})
        handlers = {
            "Fn::If": self._if,
            "Fn::Sub": self._sub,
            "Fn::Join": self._join,
            "Fn::Select": self._select,
            "Fn::Split": self._split,
            "Fn::FindInMap": self._find_in_map,
        }
        if key not in handlers:
            raise Unresolvable(key)
        return handlers[key](arg)

    def _if(self, arg: Any) -> Any:
        name, when_true, when_false = arg
        return self.resolve(when_true if self.condition(name) else when_false)

    def _join(self, arg: Any) -> str:
        separator, items = arg
        return _scalar_text(separator).join(_scalar_text(item) for item in self.resolve(items))

    def _select(self, arg: Any) -> Any:
        index, items = arg
        return self.resolve(items)[int(self.resolve(index))]

    def _split(self, arg: Any) -> list[str]:
        separator, text = arg
        return _scalar_text(self.resolve(text)).split(_scalar_text(separator))

    def _find_in_map(self, arg: Any) -> Any:
        name, top, second = (self.resolve(item) for item in arg[:3])
        return self.resolve(self.template["Mappings"][name][top][second])

    def _sub(self, arg: Any) -> str:
        if isinstance(arg, list):
            text, local_vars = arg[0], {k: self.resolve(v) for k, v in (arg[1] or {}).items()}
        else:
            text, local_vars = arg, {}

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            if name in local_vars:
                return _scalar_text(local_vars[name])
            if "." in name:
                raise Unresolvable(f"Fn::Sub ${{{name}}}")
            return _scalar_text(self._ref(name))

        # "${!Literal}" is how a template writes a literal "${Literal}".
        return _SUB_VARIABLE.sub(substitute, _scalar_text(text)).replace("${!", "${")


def parameter_env_vars(template: Mapping[str, Any]) -> dict[str, list[str]]:
    """Parameter name -> the environment variables that the template sets to exactly `!Ref Parameter`."""
    parameters = template.get("Parameters") or {}
    mapping: dict[str, list[str]] = {}
    for variables in _environment_blocks(template):
        for var, value in variables.items():
            if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in parameters:
                names = mapping.setdefault(value["Ref"], [])
                if var not in names:
                    names.append(var)
    return mapping


def _environment_blocks(template: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    function_globals = ((template.get("Globals") or {}).get("Function")) or {}
    yield ((function_globals.get("Environment") or {}).get("Variables")) or {}
    for resource in (template.get("Resources") or {}).values():
        if isinstance(resource, dict) and resource.get("Type") == "AWS::Serverless::Function":
            properties = resource.get("Properties") or {}
            yield ((properties.get("Environment") or {}).get("Variables")) or {}


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        raise Unresolvable(f"not a scalar: {value!r}")
    return "" if value is None else str(value)
