"""A stand-in for the Lambda runtime: each function's app.py is imported by file path under a unique
module name and, like a Lambda container, serves one request at a time."""

from __future__ import annotations

import importlib.util
import itertools
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

Handler = Callable[[dict[str, Any], Any], Any]

_module_counter = itertools.count(1)


@dataclass
class FakeLambdaContext:
    """The attributes of the Lambda context object that handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int
    invoked_function_arn: str
    aws_request_id: str
    timeout_seconds: float
    _started: float = field(default_factory=time.monotonic, repr=False)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self._started)) * 1000))


@dataclass
class LocalFunction:
    """One function of the template, ready to invoke."""

    logical_id: str
    code_dir: Path
    handler: str
    """`module.attribute`: app.lambda_handler."""
    memory_mb: int = 128
    timeout_seconds: float = 3.0
    _callable: Handler | None = field(default=None, repr=False)
    _module_name: str | None = field(default=None, repr=False)

    @property
    def module_file(self) -> Path:
        return self.code_dir / f"{self.handler.rpartition('.')[0]}.py"

    def load(self) -> Handler:
        """Import the handler module (a cold start) unless already done."""
        if self._callable is None:
            module_name = f"local_fn_{self.logical_id}_{next(_module_counter)}"
            module = import_file(self.module_file, module_name)
            self._callable, self._module_name = getattr(module, self.handler.rpartition(".")[2]), module_name
        return self._callable

    def unload(self) -> None:
        if self._module_name is not None:
            sys.modules.pop(self._module_name, None)
        self._callable = self._module_name = None

    def invoke(self, event: dict[str, Any]) -> Any:
        handler = self.load()
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        context = FakeLambdaContext(
            function_name=self.logical_id,
            memory_limit_in_mb=self.memory_mb,
            invoked_function_arn=f"arn:aws:lambda:{region}:000000000000:function:{self.logical_id}",
            aws_request_id=str(uuid.uuid4()),
            timeout_seconds=self.timeout_seconds,
        )
        with _ONE_INVOCATION_AT_A_TIME:
            return handler(event, context)


# Lambda runs one request at a time per container. Here every function shares one process, and Powertools
# keeps the request being resolved on a class (BaseRouter.current_event), not on each resolver: two
# functions answering at once would read each other's event (a page's request for /openapi.json made a
# concurrent /search_models see no API key). So one invocation at a time in the whole process.
_ONE_INVOCATION_AT_A_TIME = threading.Lock()


def import_file(path: Path, module_name: str) -> ModuleType:
    """Import a Python file as a fresh module named `module_name`."""
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module


def forget_modules_under(directories: list[Path]) -> None:
    """Drop already imported modules that live in these directories, so the next import is a cold start
    that reads the environment as it is now."""
    # String prefixes, not Path.is_relative_to: over the thousands of modules a test run imports, that
    # took seconds per server start and stop.
    roots = tuple(os.path.join(directory.resolve(), "") for directory in directories)
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if file and os.path.realpath(file).startswith(roots):
            del sys.modules[name]
