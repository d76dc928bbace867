"""The API of a SAM template, served in-process: routes from the HttpApi events, handlers from the code.

`LocalApi.from_template` reads the functions, their HttpApi routes (paths resolved from the parameter
values), their layers and their environment; `LocalApi.handle` turns one HTTP request into an event,
invokes the function and maps its answer back, as API Gateway would.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local.apigw import (
    HttpRequest,
    HttpResponse,
    Route,
    build_event,
    error_response,
    map_response,
    match_route,
    new_request_id,
)
from local.cfn import NO_VALUE, TemplateContext, Unresolvable, load_template
from local.lambda_runtime import LocalFunction

_FUNCTION = "AWS::Serverless::Function"
_LAYER = "AWS::Serverless::LayerVersion"


@dataclass
class LocalApi:
    routes: list[Route]
    functions: dict[str, LocalFunction]
    environment: dict[str, str] = field(default_factory=dict)
    """The variables the template gives the functions, as far as they resolve locally."""
    layer_dirs: list[Path] = field(default_factory=list)
    parameters: dict[str, str] = field(default_factory=dict)
    load_errors: dict[str, BaseException] = field(default_factory=dict)

    @classmethod
    def from_template(
        cls,
        template_path: Path,
        environ: Mapping[str, str],
        parameter_overrides: Mapping[str, str] | None = None,
    ) -> LocalApi:
        """Read the template; nothing is imported yet (see `load_handlers`)."""
        template = load_template(template_path)
        ctx = TemplateContext.create(template, environ, parameter_overrides)
        base = template_path.parent
        function_globals: dict[str, Any] = (template.get("Globals") or {}).get("Function") or {}
        api = cls(routes=[], functions={}, parameters=dict(ctx.parameters))
        for logical_id, resource in ctx.resources.items():
            if not isinstance(resource, dict) or resource.get("Type") != _FUNCTION:
                continue
            if "Condition" in resource and not ctx.condition(resource["Condition"]):
                continue
            props = _merge_globals(function_globals, resource.get("Properties") or {})
            api.functions[logical_id] = LocalFunction(
                logical_id=logical_id,
                code_dir=(base / str(ctx.resolve(props.get("CodeUri", ".")))).resolve(),
                handler=str(ctx.resolve(props.get("Handler", "app.lambda_handler"))),
                memory_mb=int(ctx.resolve(props.get("MemorySize", 128))),
                timeout_seconds=float(ctx.resolve(props.get("Timeout", 3))),
            )
            api.routes.extend(_http_routes(ctx, logical_id, props.get("Events") or {}))
            for layer in props.get("Layers") or []:
                layer_dir = _layer_dir(ctx, base, layer)
                if layer_dir is not None and layer_dir not in api.layer_dirs:
                    api.layer_dirs.append(layer_dir)
            variables = (props.get("Environment") or {}).get("Variables") or {}
            for name, value in variables.items():
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
        """Import every handler now (the cold starts). A failing import is kept and reported: requests
        to that function then get 500, as API Gateway answers when a function cannot start."""
        for layer_dir in reversed(self.layer_dirs):
            if str(layer_dir) not in sys.path:
                sys.path.insert(0, str(layer_dir))
        for logical_id, function in self.functions.items():
            try:
                function.load()
            except Exception as exc:
                self.load_errors[logical_id] = exc
                print(f"local: cannot load {logical_id} ({function.module_file}):", file=sys.stderr)
                traceback.print_exception(exc, file=sys.stderr)

    def handle(self, request: HttpRequest) -> HttpResponse:
        request_id = new_request_id()
        found = match_route(self.routes, request.method, request.raw_path)
        if found is None:
            response = error_response(404)
            response.headers.append(("apigw-requestid", request_id))
            return response
        route, path_params = found
        event = build_event(request, route, path_params, request_id)
        function = self.functions[route.target]
        try:
            result = function.invoke(event)
        except Exception:
            print(f"local: {route.target} failed on {route.route_key}:", file=sys.stderr)
            traceback.print_exc(file=sys.stderr)
            response = error_response(500)
            response.headers.append(("apigw-requestid", request_id))
            return response
        return map_response(result, request_id)


def _merge_globals(function_globals: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
    """SAM's Globals merge: maps merge (the function wins), lists are concatenated, scalars are replaced."""
    merged: dict[str, Any] = dict(function_globals)
    for key, value in props.items():
        current = merged.get(key)
        if isinstance(current, dict) and isinstance(value, dict) and not _is_intrinsic(value):
            merged[key] = _merge_globals(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            merged[key] = current + value
        else:
            merged[key] = value
    return merged


def _is_intrinsic(value: Mapping[str, Any]) -> bool:
    if len(value) != 1:
        return False
    key = str(next(iter(value)))
    return key in ("Ref", "Condition") or key.startswith("Fn::")


def _http_routes(ctx: TemplateContext, logical_id: str, events: Mapping[str, Any]) -> list[Route]:
    routes: list[Route] = []
    for declared in events.values():
        # An event may be a whole Fn::If (AWS::LanguageExtensions); its properties may hold Refs to
        # resources (ApiId), so only the parts a route needs are resolved.
        event = declared
        while isinstance(event, dict) and set(event) == {"Fn::If"}:
            name, when_true, when_false = event["Fn::If"]
            event = when_true if ctx.condition(name) else when_false
        if not isinstance(event, dict) or event.get("Type") != "HttpApi":
            continue
        props = event.get("Properties") or {}
        if "Path" not in props and "Method" not in props:
            routes.append(Route("ANY", "$default", logical_id))
            continue
        path = str(ctx.resolve(props.get("Path", "/")))
        method = str(ctx.resolve(props.get("Method", "ANY"))).upper()
        routes.append(Route(method, path or "/", logical_id))
    return routes


def _layer_dir(ctx: TemplateContext, base: Path, layer: Any) -> Path | None:
    """The source directory of a layer that the template builds (a Ref to a LayerVersion)."""
    if not (isinstance(layer, dict) and set(layer) == {"Ref"}):
        return None  # a published layer's ARN: nothing local to add
    resource = ctx.resources.get(layer["Ref"]) or {}
    if resource.get("Type") != _LAYER:
        return None
    content = (base / str(ctx.resolve(resource["Properties"]["ContentUri"]))).resolve()
    # A built Python layer keeps its packages under python/; the source layout may not.
    return content / "python" if (content / "python").is_dir() else content
