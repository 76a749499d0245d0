"""The one path every log line and error message takes before it leaves the process.

Two layers: secrets this process has seen are registered and masked wherever they appear,
and shapes that are always secret (Authorization headers, token fields in JSON or form
bodies, bearer strings, JWTs) are masked even when nobody registered them.

Every process of the add-on (REST handlers, modular inputs) calls ``configure_logging`` at
start: it gives the package's logger ``ta_thousandeyes`` the one stderr handler (stderr goes
to splunkd.log) with the RedactingFormatter and stops propagation, so every logger below it
(``ta_thousandeyes.oauth.*`` included) is written through redaction and through nothing else,
whatever handlers the host process put on the root logger.
"""

import logging
import re
import sys
import threading
from typing import Any, Iterable

MASK = "********"
_MIN_SECRET_LENGTH = 6

_lock = threading.Lock()
_known_secrets = set()  # type: set

_SENSITIVE_FIELDS = (
    r"access_token|refresh_token|id_token|device_code|user_code|code_verifier|code|"
    r"client_secret|api_token|password|clear_password|session_key|sessionKey|"
    r"authtoken|system_authtoken|token|secret"
)
_PATTERNS = (
    # Authorization: Bearer xyz / Splunk xyz / Basic xyz (headers, reprs of header dicts)
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(bearer|splunk|basic)\s+[^\s'\",}]+"),
    re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*"),
    # "key": "value" in JSON and 'key': 'value' in Python reprs
    re.compile(r"(?i)(['\"](?:" + _SENSITIVE_FIELDS + r")['\"]\s*:\s*['\"])[^'\"]*"),
    # key=value in query strings and form bodies
    re.compile(r"(?i)(\b(?:" + _SENSITIVE_FIELDS + r")=)[^&\s'\"]+"),
    # JWTs anywhere
    re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"),
)


def register_secret(value: object) -> None:
    """Remember a secret so that every later redact() masks it wherever it appears."""
    if isinstance(value, str) and len(value) >= _MIN_SECRET_LENGTH:
        with _lock:
            _known_secrets.add(value)


def register_secrets(values: Iterable) -> None:
    for value in values:
        register_secret(value)


def redact(text: object) -> str:
    """Return text with every known secret and every secret-shaped value masked."""
    result = text if isinstance(text, str) else str(text)
    with _lock:
        secrets = sorted(_known_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in result:
            result = result.replace(secret, MASK)
    for pattern in _PATTERNS:
        result = pattern.sub(_mask_match, result)
    return result


def _mask_match(match: "re.Match") -> str:
    if match.re.groups >= 1 and match.group(1):
        return match.group(1) + MASK
    return MASK


class RedactingFormatter(logging.Formatter):
    """A formatter whose output, tracebacks included, has passed through redact()."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


PACKAGE_LOGGER = "ta_thousandeyes"
LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class RedactingStderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (splunkd reads it into splunkd.log)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(RedactingFormatter(LOG_FORMAT))

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def configure_logging(level: str = "INFO") -> logging.Logger:
    """The package's loggers write through the redacting handler only (idempotent)."""
    package = logging.getLogger(PACKAGE_LOGGER)
    if not any(isinstance(h, RedactingStderrHandler) for h in package.handlers):
        package.addHandler(RedactingStderrHandler())
    package.propagate = False
    package.setLevel(level if level in LOG_LEVELS else "INFO")
    return package
