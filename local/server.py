"""Serve the API of template.yaml on 127.0.0.1 without Docker: `python -m local.server`.

Each request becomes an API Gateway HTTP API (payload 2.0) event for the function whose route matches,
and the function's `lambda_handler` runs in this process (see local.api). The port is `$PORT`
(default 3000).

Data: with `CATALOG_SNAPSHOT` unset and no AWS credentials, the server sets `CATALOG_SNAPSHOT` to the
snapshot shipped in snapshots/; with credentials it serves live Bedrock data. The instance metadata
address is never probed (AWS_EC2_METADATA_DISABLED=true unless set otherwise).

In tests: `base_url, stop = serve_in_background(env={...})`, or `with running_server(env={...}) as url:`.
The environment is applied before the handlers are imported (they read it at cold start) and put back
by `stop()`; one server per process at a time, since they share os.environ.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from local.api import LocalApi
from local.apigw import HttpRequest
from local.lambda_runtime import forget_modules_under

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TEMPLATE = ROOT / "template.yaml"
DEFAULT_SNAPSHOT = Path("snapshots") / "bedrock-snapshot-2026-05-01.json"
"""The snapshot served when there are no AWS credentials, relative to the template's directory."""
DEFAULT_PORT = 3000
HOST = "127.0.0.1"

_HOP_BY_HOP = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})
_API_KEY_VARS = ("API_KEY", "API_KEY_SSM_PARAMETER", "API_KEY_SECRETSMANAGER_SECRET")


class _EnvironmentPatch:
    """Changes to os.environ that can be undone."""

    def __init__(self) -> None:
        self._saved: dict[str, str | None] = {}

    def set(self, name: str, value: str) -> None:
        self._saved.setdefault(name, os.environ.get(name))
        os.environ[name] = value

    def setdefault(self, name: str, value: str) -> None:
        if name not in os.environ:
            self.set(name, value)

    def restore(self) -> None:
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved.clear()


def has_aws_credentials() -> bool:
    """Whether botocore finds credentials, without probing the EC2 instance metadata address."""
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    try:
        import botocore.session
    except ImportError:
        return False
    try:
        return botocore.session.get_session().get_credentials() is not None
    except Exception:
        return False


@dataclass(frozen=True)
class DataSource:
    snapshot: str | None
    """The snapshot file served, or None for live Bedrock."""

    def describe(self) -> str:
        if self.snapshot is not None:
            return f"snapshot {self.snapshot}"
        regions = os.environ.get("AWS_BEDROCK_REGIONS") or os.environ.get("AWS_REGION")
        return f"live Bedrock ({regions or 'the default region'})"


def choose_data_source(template_dir: Path, patch: _EnvironmentPatch) -> DataSource:
    """Keep CATALOG_SNAPSHOT when set; else live Bedrock when credentials exist; else the shipped snapshot."""
    patch.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    if os.environ.get("CATALOG_SNAPSHOT"):
        return DataSource(os.environ["CATALOG_SNAPSHOT"])
    if has_aws_credentials():
        return DataSource(None)
    snapshot = (template_dir / DEFAULT_SNAPSHOT).resolve()
    patch.set("CATALOG_SNAPSHOT", str(snapshot))
    return DataSource(str(snapshot))


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


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: with Nagle on, each keep-alive response waits ~40 ms for
    # the client's delayed ACK.
    disable_nagle_algorithm = True
    server: _HttpServer

    def _serve(self) -> None:
        target = self.path
        if "://" in target.split("?", 1)[0]:  # absolute-form request target
            target = "/" + target.split("://", 1)[1].partition("/")[2]
        raw_path, _, raw_query = target.partition("?")
        request = HttpRequest(
            method=self.command,
            raw_path=raw_path or "/",
            raw_query=raw_query,
            headers=list(self.headers.items()),
            body=self._read_body(),
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

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _serve

    def __getattr__(self, name: str) -> Callable[[], None]:
        # Any other method (TRACE, QUERY, ...) goes through routing too: a $default route may answer it.
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
    data_source: DataSource
    httpd: _HttpServer
    _patch: _EnvironmentPatch = field(repr=False)
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
        self._patch.restore()
        for entry in self._sys_path_added:
            if entry in sys.path:
                sys.path.remove(entry)
        for function in self.api.functions.values():
            function.unload()
        if self._cold_start:  # leave no module behind that was imported under this environment
            forget_modules_under(self.api.code_dirs)


def create_server(
    *,
    port: int = 0,
    env: Mapping[str, str] | None = None,
    template: str | Path | None = None,
    parameter_overrides: Mapping[str, str] | None = None,
    log_requests: bool = True,
    cold_start: bool = True,
) -> LocalServer:
    """Apply `env`, pick the data source, read the template, import the handlers and bind 127.0.0.1:`port`
    (0: a free port). Nothing is served until `start()` or `serve_forever()`.

    `cold_start`: drop the modules already imported from the layer and function directories, so that
    they are imported afresh under this environment (as in a new Lambda container), and drop them again
    on `stop()`. With False, modules imported earlier in this process (e.g. by tests) are shared."""
    template_path = Path(template) if template is not None else DEFAULT_TEMPLATE
    template_path = template_path.resolve()
    patch = _EnvironmentPatch()
    sys_path_before = list(sys.path)
    try:
        for name, value in (env or {}).items():
            patch.set(name, value)
        data_source = choose_data_source(template_path.parent, patch)
        api = LocalApi.from_template(template_path, os.environ, parameter_overrides)
        for name, value in api.environment.items():
            # A snapshot knows its regions: serve them all unless AWS_BEDROCK_REGIONS says otherwise,
            # rather than the template's deployed default (the stack's own region).
            if name == "AWS_BEDROCK_REGIONS" and data_source.snapshot is not None:
                continue
            patch.setdefault(name, value)
        if cold_start:
            forget_modules_under(api.code_dirs)
        api.load_handlers()
        httpd = _HttpServer((HOST, port), _RequestHandler)
    except BaseException:
        patch.restore()
        sys.path[:] = sys_path_before
        raise
    httpd.api = api
    httpd.log_requests = log_requests
    added = [entry for entry in sys.path if entry not in sys_path_before]
    return LocalServer(
        api=api,
        data_source=data_source,
        httpd=httpd,
        _patch=patch,
        _sys_path_added=added,
        _cold_start=cold_start,
    )


def serve_in_background(
    port: int = 0,
    env: Mapping[str, str] | None = None,
    *,
    template: str | Path | None = None,
    parameter_overrides: Mapping[str, str] | None = None,
    log_requests: bool = False,
    cold_start: bool = True,
) -> tuple[str, Callable[[], None]]:
    """Start the API in a daemon thread; returns its base URL (http://127.0.0.1:PORT) and `stop`.
    The arguments are those of `create_server`."""
    server = create_server(
        port=port,
        env=env,
        template=template,
        parameter_overrides=parameter_overrides,
        log_requests=log_requests,
        cold_start=cold_start,
    )
    server.start()
    return server.base_url, server.stop


@contextmanager
def running_server(
    port: int = 0,
    env: Mapping[str, str] | None = None,
    *,
    template: str | Path | None = None,
    parameter_overrides: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """`with running_server(env={...}) as base_url:` — serve_in_background that always stops."""
    overrides = parameter_overrides
    base_url, stop = serve_in_background(port, env, template=template, parameter_overrides=overrides)
    try:
        yield base_url
    finally:
        stop()


def describe(server: LocalServer) -> str:
    lines = [f"Bedrock model catalog API listening on {server.base_url}"]
    lines.append(f"Data source: {server.data_source.describe()}")
    if not any(os.environ.get(name) for name in _API_KEY_VARS):
        lines.append("API key: none configured, requests are not authenticated (set API_KEY to require one)")
    lines.append("Routes:")
    for route in sorted(server.api.routes, key=lambda r: (r.path, r.method)):
        lines.append(f"  {route.route_key:<45} -> {route.target}")
    for logical_id, error in server.api.load_errors.items():
        lines.append(f"Not loaded: {logical_id} ({error!r}); its routes answer 500")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.server", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or DEFAULT_PORT))
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
    server = create_server(port=args.port, template=args.template, parameter_overrides=overrides)
    print(describe(server), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nStopped.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
