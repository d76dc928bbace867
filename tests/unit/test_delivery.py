"""The HTTP helpers of api/delivery.py: content negotiation and validators, as the RFCs define them."""

from __future__ import annotations

import base64
import gzip

import pytest

from model_catalog.api.delivery import HttpPolicy, accepts_gzip, etag_of, gzipped, if_none_match
from model_catalog.errors import ConfigurationError
from model_catalog.settings import Settings


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("GZIP", True),
        ("*", True),
        ("gzip;q=0", False),
        ("*;q=0", False),
        ("identity", False),
        ("deflate, *;q=0", False),
        ("gzip;q=0, *", False),
        ("gzip;q=nonsense", False),
        ("gzip; foo=bar; q=0", False),  # q after another parameter
        ("", False),
        (None, False),
    ],
)
def test_accepts_gzip(header: str | None, accepted: bool) -> None:
    assert accepts_gzip(header) is accepted


def test_etag_is_weak_and_follows_the_body() -> None:
    assert etag_of(b"a").startswith('W/"') and etag_of(b"a").endswith('"')
    assert etag_of(b"a") == etag_of(b"a")
    assert etag_of(b"a") != etag_of(b"b")


def test_gzip_round_trips() -> None:
    body = b'{"data":[' + b'{"id":"m"},' * 500 + b"]}"
    compressed = gzipped(body)
    assert gzip.decompress(base64.b64decode(compressed)) == body
    assert len(compressed) < len(body) / 10


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        ('W/"abc"', True),
        ('"abc"', True),
        ('"x", W/"abc"', True),
        ("*", True),
        ('"abcd"', False),
        ("", False),
        (None, False),
    ],
)
def test_if_none_match_uses_the_weak_comparison(header: str | None, matches: bool) -> None:
    assert if_none_match(header, 'W/"abc"') is matches


def test_policy_from_settings_and_cors_config() -> None:
    assert HttpPolicy().cors() is None
    config = HttpPolicy(cors_origins=("https://a.example", "https://b.example")).cors()
    assert config is not None
    assert config.allowed_origin("https://b.example") == "https://b.example"
    assert config.allowed_origin("https://c.example") is None
    star = HttpPolicy(cors_origins=("https://a.example", "*")).cors()
    assert star is not None and star.allowed_origin("https://c.example") == "*"


def test_cors_origins_setting_is_validated() -> None:
    settings = Settings.from_environ({"CORS_ALLOW_ORIGINS": "https://a.example, http://localhost:5173"})
    assert settings.cors_allow_origins == ("https://a.example", "http://localhost:5173")
    with pytest.raises(ConfigurationError, match="CORS_ALLOW_ORIGINS"):
        Settings.from_environ({"CORS_ALLOW_ORIGINS": "a.example/path"})
