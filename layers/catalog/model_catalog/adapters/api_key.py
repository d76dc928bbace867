"""Where the API key comes from: the environment, SSM Parameter Store or Secrets Manager. The two
AWS sources are read through Powertools Parameters with a max age, not once per request."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

from model_catalog.errors import SecretUnavailableError

# After a failed read, requests are refused at once for this long instead of each one waiting on the
# store's retries again.
FAILURE_CACHE_SECONDS = 5.0


class StaticApiKey:
    def __init__(self, key: str | None) -> None:
        self._key = key

    def current(self) -> str | None:
        return self._key


class ParameterApiKey:
    """A key in SSM (SecureString) or Secrets Manager, cached for ``max_age`` seconds; a rotated
    secret is picked up within that window."""

    def __init__(
        self,
        store: Literal["ssm", "secretsmanager"],
        name: str,
        max_age: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store, self.name, self.max_age = store, name, max_age
        self._clock = clock
        self._failure = ""
        self._failed_until = 0.0

    def current(self) -> str | None:
        if self._failure and self._clock() < self._failed_until:
            raise SecretUnavailableError(self._failure)
        try:
            key = self._read()
        except SecretUnavailableError as e:
            self._failure, self._failed_until = str(e), self._clock() + FAILURE_CACHE_SECONDS
            raise
        self._failure = ""
        return key

    def _read(self) -> str:
        from aws_lambda_powertools.utilities import parameters  # noqa: PLC0415 - boto3 behind it

        try:
            if self.store == "ssm":
                value = parameters.get_parameter(self.name, decrypt=True, max_age=self.max_age)
            else:
                value = parameters.get_secret(self.name, max_age=self.max_age)
        except parameters.exceptions.GetParameterError as e:
            # The message names the parameter, never its value.
            raise SecretUnavailableError(f"the API key could not be read from {self.store}") from e
        key = value.decode() if isinstance(value, bytes) else str(value)
        if not key.strip():
            raise SecretUnavailableError(f"the API key in {self.store} is empty")
        return key.strip()
