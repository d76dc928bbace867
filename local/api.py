"""The API of template.yaml in-process: `LocalApi.from_template` reads the functions, their HttpApi
routes, layer and environment; `LocalApi.handle` answers one HTTP request as API Gateway would."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local.apigw import (
    DEFAULT_ROUTE,
    HttpRequest,
    HttpResponse,
    Route,
    build_event,
    map_response,
    match_route,
    new_request_id,
)
from local.cfn import NO_VALUE, TemplateContext, Unresolvable, load_template
from local.lambda_runtime import LocalFunction

NOT_FOUND = {"statusCode": 404, "headers": {"content-type": "application/json"}, "body": '{"message":"Not Found"}'}


class HandlerLoadError(Exception):
    """A function's handler could not be imported: its cold start failed."""

    def __init__(self, logical_id: str, cause: BaseException) -> None:
        super().__init__(f"{logical_id}: {cause}")
        self.logical_id = logical_id
        self.cause = cause


@dataclass
class LocalApi:
    routes: list[Route]
    functions: dict[str, LocalFunction]
    environment: dict[str, str] = field(default_factory=dict)
    """The variables the template gives the functions, as far as they resolve locally."""
    layer_dirs: list[Path] = field(default_factory=list)

    @classmethod
    def from_template(
        cls, template_path: Path, environ: Mapping[str, str], parameter_overrides: Mapping[str, str] | None = None
    ) -> LocalApi:
        """Read the template; nothing is imported yet (see `load_handlers`)."""
        template = load_template(template_path)
        ctx = TemplateContext.create(template, environ, parameter_overrides)
        base = template_path.parent
        function_globals: dict[str, Any] = (template.get("Globals") or {}).get("Function") or {}
        api = cls(routes=[], functions={})
        for logical_id, resource in ctx.resources.items():
            if resource.get("Type") != "AWS::Serverless::Function":
                continue
            props = _merge_globals(function_globals, resource.get("Properties") or {})
            api.functions[logical_id] = LocalFunction(
                logical_id=logical_id,
                code_dir=(base / str(props["CodeUri"])).resolve(),
                handler=str(props["Handler"]),
                memory_mb=int(ctx.resolve(props.get("MemorySize", 128))),
                timeout_seconds=float(ctx.resolve(props.get("Timeout", 3))),
            )
            api.routes.extend(_http_routes(ctx, logical_id, props.get("Events") or {}))
            for layer in props.get("Layers") or []:
                # A LayerVersion of this template (a Ref); its source directory is what goes on sys.path.
                content = base / str(ctx.resources[layer["Ref"]]["Properties"]["ContentUri"])
                if content.resolve() not in api.layer_dirs:
                    api.layer_dirs.append(content.resolve())
            for name, value in ((props.get("Environment") or {}).get("Variables") or {}).items():
                try:
                    resolved = ctx.resolve(value)
                except Unresolvable:
                    continue  # a resource's name or ARN: exists only once deployed
                if resolved is not NO_VALUE:
                    api.environment[name] = str(resolved)
        return api

    @property
    def code_dirs(self) -> list[Path]:
        """The layer and function directories: where the code of this API is imported from."""
        return self.layer_dirs + [function.code_dir for function in self.functions.values()]

    def load_handlers(self) -> None:
        """Import every handler now (the cold starts); the first that fails raises `HandlerLoadError`,
        as a deployed function whose cold start fails answers nothing."""
        for layer_dir in reversed(self.layer_dirs):
            if str(layer_dir) not in sys.path:
                sys.path.insert(0, str(layer_dir))
        for logical_id, function in self.functions.items():
            try:
                function.load()
            except Exception as exc:
                raise HandlerLoadError(logical_id, exc) from exc

    def handle(self, request: HttpRequest) -> HttpResponse:
        request_id = new_request_id()
        found = match_route(self.routes, request.method, request.raw_path)
        if found is None:
            return map_response(NOT_FOUND, request_id)
        route, path_params = found
        event = build_event(request, route, path_params, request_id)
        try:
            result = self.functions[route.target].invoke(event)
        except Exception:
            print(f"local: {route.target} failed on {route.route_key}:", file=sys.stderr)
            traceback.print_exc(file=sys.stderr)
            result = None  # API Gateway answers a failed invocation with a 500
        return map_response(result, request_id)


def _merge_globals(function_globals: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
    """SAM's Globals merge: maps merge (the function wins), lists are concatenated, scalars are replaced."""
    merged: dict[str, Any] = dict(function_globals)
    for key, value in props.items():
        current = merged.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            merged[key] = _merge_globals(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            merged[key] = current + value
        else:
            merged[key] = value
    return merged


def _http_routes(ctx: TemplateContext, logical_id: str, events: Mapping[str, Any]) -> list[Route]:
    routes: list[Route] = []
    for declared in events.values():
        # An event may be a whole Fn::If (AWS::LanguageExtensions); its properties hold a Ref to the
        # HttpApi resource, so only the parts a route needs are resolved.
        event = declared
        if isinstance(event, dict) and set(event) == {"Fn::If"}:
            name, when_true, when_false = event["Fn::If"]
            event = when_true if ctx.condition(name) else when_false
        if not isinstance(event, dict) or event.get("Type") != "HttpApi":
            continue
        props = event.get("Properties") or {}
        if "Path" not in props:  # no Path and no Method: the $default route
            routes.append(Route("ANY", DEFAULT_ROUTE, logical_id))
        else:
            routes.append(Route(str(props["Method"]).upper(), str(ctx.resolve(props["Path"])) or "/", logical_id))
    return routes
