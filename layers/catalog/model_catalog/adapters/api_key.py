"""Where the API key comes from: the environment, SSM Parameter Store or Secrets Manager. The two
AWS sources are read through Powertools Parameters with a max age, not once per request."""

from __future__ import annotations

from typing import Literal

from model_catalog.errors import SecretUnavailableError


class StaticApiKey:
    def __init__(self, key: str | None) -> None:
        self._key = key

    def current(self) -> str | None:
        return self._key


class ParameterApiKey:
    """A key in SSM (SecureString) or Secrets Manager, cached for ``max_age`` seconds; a rotated
    secret is picked up within that window."""

    def __init__(self, store: Literal["ssm", "secretsmanager"], name: str, max_age: int) -> None:
        self.store, self.name, self.max_age = store, name, max_age

    def current(self) -> str | None:
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
