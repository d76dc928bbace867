"""Serve the API of template.yaml on 127.0.0.1:$PORT (3000) without Docker: `make serve`, or
`.venv/bin/python -m local.server`. Each request runs the function's `lambda_handler` in this process.

Data: the embedded snapshot (snapshots/), or another file named by `CATALOG_SNAPSHOT`, unless
`CATALOG_SOURCE=bedrock` asks for live Bedrock. AWS credentials in the environment never switch it. The
instance metadata address is never probed (AWS_EC2_METADATA_DISABLED=true unless set otherwise).

A setting that fails a cold start, or a port that cannot be bound, stops the start with one line on
stderr (exit status 2). In tests: `with running_server(env={...}) as base_url:`; `env` is applied before
the handlers import and undone by `stop()`, so one server per process at a time.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
import threading
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from unittest import mock

from local.api import HandlerLoadError, LocalApi
from local.apigw import HttpRequest
from local.lambda_runtime import forget_modules_under

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TEMPLATE = ROOT / "template.yaml"
DEFAULT_SNAPSHOT = Path("snapshots") / "bedrock-snapshot-2026-05-01.json"
"""The snapshot served unless told otherwise, relative to the template's directory."""
DEFAULT_PORT = 3000
HOST = "127.0.0.1"

_HOP_BY_HOP = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})
_API_KEY_VARS = ("API_KEY", "API_KEY_SSM_PARAMETER", "API_KEY_SECRETSMANAGER_SECRET")


class StartError(Exception):
    """The server cannot start; the message is the one line the user sees."""


def choose_source(template_dir: Path) -> str:
    """`CATALOG_SOURCE` as asked (default: snapshot, the embedded one unless `CATALOG_SNAPSHOT` names
    another). Set before the template's environment, whose `CATALOG_SOURCE: bedrock` is the deployed one."""
    source = os.environ["CATALOG_SOURCE"] = os.environ.get("CATALOG_SOURCE", "").strip().lower() or "snapshot"
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    if source == "snapshot" and not os.environ.get("CATALOG_SNAPSHOT"):
        os.environ["CATALOG_SNAPSHOT"] = str((template_dir / DEFAULT_SNAPSHOT).resolve())
    return source


def parse_port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise StartError(f"PORT must be a port number from 1 to 65535 (0: any free port), got {text!r}")
    return port


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    api: LocalApi
    log_requests: bool

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up before its answer is written (curl | head, a cancelled SDK call) is
        # not the server's error: no traceback for it.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def _bind(port: int) -> _HttpServer:
    try:
        return _HttpServer((HOST, port), _RequestHandler)
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            raise StartError(
                f"port {port} on {HOST} is in use (another `make serve`?); pick another: PORT={port + 1} make serve"
            ) from None
        raise StartError(f"cannot listen on {HOST}:{port}: {e.strerror or e}") from None


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: with Nagle on, each keep-alive response waits ~40 ms for
    # the client's delayed ACK.
    disable_nagle_algorithm = True
    server: _HttpServer

    def _serve(self) -> None:
        raw_path, _, raw_query = self.path.partition("?")
        length = int(self.headers.get("content-length") or 0)
        request = HttpRequest(
            method=self.command,
            raw_path=raw_path or "/",
            raw_query=raw_query,
            headers=list(self.headers.items()),
            body=self.rfile.read(length) if length > 0 else b"",
            source_ip=self.client_address[0],
            protocol=self.request_version,
        )
        response = self.server.api.handle(request)
        self.send_response(response.status)
        for name, value in response.headers:
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("content-length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def __getattr__(self, name: str) -> Callable[[], None]:
        # Every method (GET, TRACE, ...) goes through routing: the $default route answers what no route takes.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def log_message(self, format: str, *args: object) -> None:
        if self.server.log_requests:
            super().log_message(format, *args)


@dataclass
class LocalServer:
    """A bound server for one template; `serve_forever()` in front, or `start()` in a thread."""

    api: LocalApi
    source: str
    """`CATALOG_SOURCE` as served: snapshot or bedrock."""
    httpd: _HttpServer
    _environ: Any = field(repr=False)
    """The os.environ patch that stop() undoes."""
    _sys_path_added: list[str] = field(default_factory=list, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)
    _stopped: bool = field(default=False, repr=False)
    _cold_start: bool = field(default=True, repr=False)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="local-api", daemon=True)
        self._thread.start()

    def serve_forever(self) -> None:
        try:
            self.httpd.serve_forever()
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop serving, free the port and put the environment and sys.path back. Safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=10)
        self.httpd.server_close()
        _undo(self._environ, self._sys_path_added)
        for function in self.api.functions.values():
            function.unload()
        if self._cold_start:  # leave no module behind that was imported under this environment
            forget_modules_under(self.api.code_dirs)


def _undo(environ: Any, sys_path_added: list[str]) -> None:
    environ.stop()
    for entry in sys_path_added:
        if entry in sys.path:
            sys.path.remove(entry)


def create_server(
    *,
    port: int = 0,
    env: Mapping[str, str] | None = None,
    template: str | Path | None = None,
    parameter_overrides: Mapping[str, str] | None = None,
    log_requests: bool = True,
    cold_start: bool = True,
) -> LocalServer:
    """Bind 127.0.0.1:`port` (0: a free port), apply `env`, choose the source, read the template and import
    the handlers. Nothing is served until `start()` or `serve_forever()`. Raises `StartError` when the
    port cannot be bound, `HandlerLoadError` when a handler's cold start fails.

    `cold_start`: drop the modules already imported from the layer and function directories, so that
    they are imported afresh under this environment (as in a new Lambda container), and drop them again
    on `stop()`. With False, modules imported earlier in this process (e.g. by tests) are shared."""
    template_path = Path(template or DEFAULT_TEMPLATE).resolve()
    httpd = _bind(port)
    environ = mock.patch.dict(os.environ, env or {})
    environ.start()
    sys_path_before = list(sys.path)
    try:
        source = choose_source(template_path.parent)
        api = LocalApi.from_template(template_path, os.environ, parameter_overrides)
        for name, value in api.environment.items():
            # A snapshot knows its regions: serve them all unless AWS_BEDROCK_REGIONS says otherwise,
            # rather than the template's deployed default (the stack's own region).
            if not (name == "AWS_BEDROCK_REGIONS" and source == "snapshot"):
                os.environ.setdefault(name, value)
        if cold_start:
            forget_modules_under(api.code_dirs)
        api.load_handlers()
    except BaseException:
        httpd.server_close()
        _undo(environ, [entry for entry in sys.path if entry not in sys_path_before])
        raise
    httpd.api = api
    httpd.log_requests = log_requests
    added = [entry for entry in sys.path if entry not in sys_path_before]
    return LocalServer(api, source, httpd, environ, added, _cold_start=cold_start)


def serve_in_background(
    port: int = 0, env: Mapping[str, str] | None = None, **options: Any
) -> tuple[str, Callable[[], None]]:
    """Start the API in a daemon thread (quiet, unless log_requests=True); returns its base URL
    (http://127.0.0.1:PORT) and `stop`. The options are those of `create_server`."""
    server = create_server(port=port, env=env, **{"log_requests": False, **options})
    server.start()
    return server.base_url, server.stop


@contextmanager
def running_server(port: int = 0, env: Mapping[str, str] | None = None, **options: Any) -> Iterator[str]:
    """`with running_server(env={...}) as base_url:` — serve_in_background that always stops."""
    base_url, stop = serve_in_background(port, env, **options)
    try:
        yield base_url
    finally:
        stop()


def describe(server: LocalServer) -> str:
    """The startup lines: where, which source and regions, whether a key is required, the routes."""
    lines = [f"Bedrock model catalog API listening on {server.base_url}"]
    if server.source == "snapshot":
        lines.append(f"Source: snapshot {os.environ.get('CATALOG_SNAPSHOT')} (CATALOG_SOURCE=bedrock for live data)")
    else:
        lines.append("Source: live Amazon Bedrock, with the AWS credentials of this shell")
    runtime = sys.modules.get("model_catalog.runtime")  # the handlers' runtime, when the layer is ours
    if runtime is not None and any(Path(runtime.__file__ or "").is_relative_to(d) for d in server.api.layer_dirs):
        lines.append(f"Regions: {', '.join(runtime.runtime().service.regions)}")
    if any(os.environ.get(name) for name in _API_KEY_VARS):
        lines.append("API key: required (x-api-key or Authorization: Bearer)")
    else:
        lines.append("API key: none, requests are not authenticated (export API_KEY=... to require one)")
    lines.append("Routes:")
    for route in sorted(server.api.routes, key=lambda r: (r.path, r.method)):
        lines.append(f"  {route.route_key:<45} -> {route.target}")
    return "\n".join(lines)


def _is_configuration_error(exc: BaseException) -> bool:
    """The layer's ConfigurationError (by name: local/ does not import the layer it serves)."""
    return any(cls.__name__ == "ConfigurationError" for cls in type(exc).__mro__)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.server", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", help="default: $PORT, else 3000")
    parser.add_argument("--template", type=Path, default=DEFAULT_TEMPLATE)
    parser.add_argument(
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="template parameter value (overrides its environment variable and default); repeatable",
    )
    args = parser.parse_args(argv)
    if any("=" not in item for item in args.parameter):
        parser.error("--parameter takes NAME=VALUE")
    overrides = dict(item.split("=", 1) for item in args.parameter)
    try:
        port = parse_port(args.port or os.environ.get("PORT") or str(DEFAULT_PORT))
        server = create_server(port=port, template=args.template, parameter_overrides=overrides)
    except StartError as e:
        print(f"local.server: {e}", file=sys.stderr)
        return 2
    except HandlerLoadError as e:
        if _is_configuration_error(e.cause):
            print(f"local.server: {e.cause}", file=sys.stderr)
        else:  # a bug, not a setting: its traceback helps
            traceback.print_exception(e.cause, file=sys.stderr)
            print(f"local.server: {e.logical_id} cannot start: {e.cause!r}", file=sys.stderr)
        return 2
    print(describe(server), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nStopped.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
