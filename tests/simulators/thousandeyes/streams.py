"""Stream records of /v7/streams: validation, storage, the 10-stream limit, streamStatus.

Sources (``shared/reference/thousandeyes-streams-endpoint.md`` section 1, tags as there):
- Fields: the SDK ``Stream`` (create) and ``PutStream`` (update) models (SDK-ST 5.0.2).
  ``type``, ``signal``, ``endpointType`` and ``dataModelVersion`` are only in ``Stream``, so an
  update cannot change them. PUT overwrites the fields it carries and keeps the others
  ("The fields are overwritten, not appended"; a missing ``name`` is kept, SDK docstring).
- ``splunk-hec`` needs ``endpointType=http`` and ``exporterConfig.splunkHec.token``; HEC
  ``source`` and ``sourceType`` default to ``ThousandEyesOTel`` (SDK ``ExporterConfigSplunkHec``
  defaults). ``trace``/``log`` need ``v2`` (SDK ``Signal``); ``grpc`` URLs have no path and
  every URL must be HTTPS (SDK ``streamEndpointUrl`` docstring).
- At most 10 streams per account group, the 11th is 412 (SDK-STD StreamingApi.md); error
  bodies ``{timestamp, httpStatus, errors[], path}`` (SDK ``BadRequestError``,
  ``ApiErrorIntegrationLimits``; 412 text after OA-S's example "User cannot create more than
  5 integrations", with today's limit).
- ``streamStatus``: pending = nothing sent yet, connected = data reaching the endpoint,
  failing = sent but not reaching it; ``lastSuccess``/``lastFailure`` are epoch ms here (ints
  in the SDK, like ``auditOperation`` dates, whose examples are epoch ms).
- The endpoint is checked on create and update ("must be reachable", SDK docstring; the
  official Splunk app maps 400 texts with "TLS/SSL", "I/O issue" or "connection issue" to
  bad-certificate and unreachable errors, TA). The exact texts are not published: ours
  contain those words.

Choices where the sources are silent (documented in tests/simulators/README.md):
- Unknown body fields and read-only ones (``id``, ``_links``, ``auditOperation``,
  ``streamStatus``) are ignored, as a Jackson-based API does by default.
- No 409: what "exists" means for a stream is not documented.
- A generated name is ``Stream <id>``.
"""

from __future__ import annotations

import re
import secrets
import socket
import ssl
import threading
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional
from urllib.parse import urlsplit

MAX_STREAMS_PER_GROUP = 10
STREAM_TYPES = ("opentelemetry", "splunk-hec")
SIGNALS = ("metric", "trace", "log")
ENDPOINT_TYPES = ("grpc", "http")
DATA_MODEL_VERSIONS = ("v1", "v2")
TEST_MATCH_DOMAINS = ("cea", "endpoint")
# SDK TestType: the values filters.testTypes accepts
FILTER_TEST_TYPES = (
    "api", "agent-to-agent", "agent-to-server", "bgp", "http-server", "page-load",
    "web-transactions", "ftp-server", "dns-trace", "dns-server", "dnssec", "sip-server", "voice",
)  # fmt: skip
# PutStream's fields; Stream adds the four that fix what the stream is.
PUT_FIELDS = (
    "name", "customHeaders", "streamEndpointUrl", "tagMatch", "testMatch", "enabled", "filters",
    "inputConfig", "exporterConfig", "endpointAgentLabel", "endpointAgentTag",
)  # fmt: skip
CREATE_FIELDS = PUT_FIELDS + ("type", "signal", "endpointType", "dataModelVersion")
DEFAULT_HEC_SOURCE = "ThousandEyesOTel"
# OpenTelemetry attribute naming recommendation: lowercase, dot-separated snake_case parts.
_OTEL_ATTRIBUTE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
ENDPOINT_CHECK_TIMEOUT = 5.0


class StreamError(Exception):
    """A refusal: HTTP status and the message that goes into ``errors[0]``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class StreamRecord:
    stream_id: str
    aid: str
    fields: Dict[str, Any]  # the Stream fields as stored (defaults filled in)
    created_by: int
    created_ms: int
    updated_by: Optional[int] = None
    updated_ms: Optional[int] = None
    status: str = "pending"
    last_success: Optional[int] = None
    last_failure: Optional[int] = None
    last_error: str = ""  # why the last push failed (not in the API; for tests and logs)
    # push cursor: every data point before ``cursor_time`` is done, plus ``cursor_offset``
    # points at ``cursor_time`` (points are ordered, see stream_push.data_points)
    cursor_time: int = 0
    cursor_offset: int = 0

    @property
    def enabled(self) -> bool:
        return bool(self.fields.get("enabled", True))

    @property
    def hec(self) -> Dict[str, Any]:
        return (self.fields.get("exporterConfig") or {}).get("splunkHec") or {}

    def to_json(self, api: str, with_update: bool = True) -> Dict[str, Any]:
        """The stream as GetStreamResponse (with_update=False: CreateStreamResponse)."""
        body: Dict[str, Any] = {
            "id": self.stream_id,
            "enabled": self.enabled,
            "_links": {"self": {"href": f"{api}/streams/{self.stream_id}"}},
        }
        body.update({k: v for k, v in self.fields.items() if k != "enabled"})
        audit: Dict[str, Any] = {"createdBy": self.created_by, "createdDate": self.created_ms}
        if with_update and self.updated_ms is not None:
            audit.update({"updatedBy": self.updated_by, "updatedDate": self.updated_ms})
        body["auditOperation"] = audit
        status: Dict[str, Any] = {"status": self.status}
        if self.last_success is not None:
            status["lastSuccess"] = self.last_success
        if self.last_failure is not None:
            status["lastFailure"] = self.last_failure
        body["streamStatus"] = status
        return body


@dataclass
class StreamStore:
    """Every account group's streams. ``endpoint_check`` and ``ca_bundle_path`` decide how
    create/update check the endpoint (off: accept any URL; CA: the trust store ThousandEyes
    would verify the endpoint's certificate with, None = the system's)."""

    endpoint_check: bool = True
    ca_bundle_path: Optional[str] = None
    records: Dict[str, StreamRecord] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def list(self, aid: str, stream_type: Optional[str] = None) -> List[StreamRecord]:
        with self.lock:
            return [
                r
                for r in self.records.values()
                if r.aid == aid and (stream_type is None or r.fields.get("type") == stream_type)
            ]

    def get(self, aid: str, stream_id: str) -> StreamRecord:
        with self.lock:
            record = self.records.get(stream_id)
        if record is None or record.aid != aid:
            raise StreamError(404, f"Stream {stream_id} not found")
        return record

    def create(self, aid: str, uid: int, body: Any, now: float) -> StreamRecord:
        fields = _validated(body, CREATE_FIELDS, creating=True)
        if fields.get("enabled", True):
            self.check_endpoint(fields["streamEndpointUrl"])
        with self.lock:
            if len(self.list(aid)) >= MAX_STREAMS_PER_GROUP:
                raise StreamError(
                    412, f"User cannot create more than {MAX_STREAMS_PER_GROUP} integrations"
                )
            stream_id = secrets.token_hex(12)
            fields.setdefault("name", f"Stream {stream_id}")
            record = StreamRecord(stream_id, aid, fields, uid, int(now * 1000))
            record.cursor_time = int(now)  # rounds that start from now on are pushed
            self.records[stream_id] = record
        return record

    def update(self, aid: str, stream_id: str, uid: int, body: Any, now: float) -> StreamRecord:
        record = self.get(aid, stream_id)
        changes = _validated(body, PUT_FIELDS, creating=False, current=record.fields)
        merged = dict(record.fields)
        merged.update(changes)
        _check_combination(merged)
        if merged.get("enabled", True):
            self.check_endpoint(merged["streamEndpointUrl"])
        with self.lock:
            if merged.get("enabled", True) and not record.enabled:
                # data resumes with the rounds after re-enabling; nothing is back-filled
                record.cursor_time, record.cursor_offset = int(now), 0
            record.fields = merged
            record.updated_by, record.updated_ms = uid, int(now * 1000)
        return record

    def delete(self, aid: str, stream_id: str) -> None:
        self.get(aid, stream_id)
        with self.lock:
            del self.records[stream_id]

    def check_endpoint(self, url: str) -> None:
        """Connect and shake hands with the endpoint, as ThousandEyes checks it is reachable."""
        if not self.endpoint_check:
            return
        parts = urlsplit(url)
        port = parts.port or 443
        try:
            with socket.create_connection((parts.hostname, port), ENDPOINT_CHECK_TIMEOUT) as raw:
                context = ssl.create_default_context(cafile=self.ca_bundle_path)
                with context.wrap_socket(raw, server_hostname=parts.hostname):
                    pass
        except (ssl.SSLError, ssl.CertificateError) as error:
            raise StreamError(
                400, f"Stream endpoint validation failed: TLS/SSL handshake error ({error})"
            ) from error
        except OSError as error:
            raise StreamError(
                400, f"Stream endpoint validation failed: connection issue ({error})"
            ) from error


def _validated(
    body: Any, allowed: tuple, creating: bool, current: Optional[Dict[str, Any]] = None
) -> Dict[str, Any]:
    """The body's known fields, checked one by one; StreamError(400) on the first problem."""
    if not isinstance(body, dict):
        raise StreamError(400, "JSON parse error: a JSON object is required")
    fields = {k: body[k] for k in allowed if k in body and body[k] is not None}
    for key, choices in (
        ("type", STREAM_TYPES), ("signal", SIGNALS), ("endpointType", ENDPOINT_TYPES),
        ("dataModelVersion", DATA_MODEL_VERSIONS),
    ):  # fmt: skip
        if key in fields and fields[key] not in choices:
            raise StreamError(400, f"{key} must be one of {', '.join(choices)}")
    if creating:
        if "type" not in fields:
            raise StreamError(400, "type is required")
        if "streamEndpointUrl" not in fields:
            raise StreamError(400, "streamEndpointUrl is required")
        fields.setdefault("endpointType", "grpc")  # SDK EndpointType default
        fields.setdefault("signal", "metric")
        fields.setdefault("dataModelVersion", "v2")  # not documented; v2 is the current model
        fields.setdefault("enabled", True)
    if "name" in fields and not (
        isinstance(fields["name"], str) and 1 <= len(fields["name"]) <= 255
    ):
        raise StreamError(400, "name must be between 1 and 255 characters")
    if "enabled" in fields and not isinstance(fields["enabled"], bool):
        raise StreamError(400, "enabled must be a boolean")
    if "streamEndpointUrl" in fields:
        url = fields["streamEndpointUrl"]
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme != "https" or not parts.hostname:
            raise StreamError(400, "streamEndpointUrl must be a valid HTTPS URL")
    _check_lists(fields)
    if "exporterConfig" in fields:
        fields["exporterConfig"] = _exporter_config(fields["exporterConfig"])
    if creating:
        _check_combination(fields)
    return fields


def _check_lists(fields: Dict[str, Any]) -> None:
    for match in _list(fields, "testMatch"):
        if not isinstance(match.get("id"), str) or match.get("domain") not in TEST_MATCH_DOMAINS:
            raise StreamError(400, "testMatch entries need an id and a domain (cea or endpoint)")
    for tag in _list(fields, "tagMatch"):
        if not isinstance(tag.get("key"), str) or not isinstance(tag.get("value"), str):
            raise StreamError(400, "tagMatch entries need a key and a value")
        if not _OTEL_ATTRIBUTE.match(tag["key"]):
            raise StreamError(
                400, f"Invalid tag key '{tag['key']}': not an OpenTelemetry attribute name"
            )
    filters = fields.get("filters")
    if filters is not None:
        values = ((filters or {}).get("testTypes") or {}).get("values", [])
        if not isinstance(filters, dict) or not isinstance(values, list):
            raise StreamError(400, "filters.testTypes.values must be a list")
        for value in values:
            if value not in FILTER_TEST_TYPES:
                raise StreamError(400, f"Invalid test type '{value}' in filters.testTypes")


def _list(fields: Dict[str, Any], key: str) -> List[Dict[str, Any]]:
    value = fields.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise StreamError(400, f"{key} must be a list of objects")
    return value


def _exporter_config(config: Any) -> Dict[str, Any]:
    if not isinstance(config, dict):
        raise StreamError(400, "exporterConfig must be an object")
    result = {k: config[k] for k in ("splunkHec", "authorization") if k in config}
    hec = result.get("splunkHec")
    if hec is not None:
        if not isinstance(hec, dict):
            raise StreamError(400, "exporterConfig.splunkHec must be an object")
        hec = {
            k: hec[k] for k in ("token", "source", "sourceType", "index") if hec.get(k) is not None
        }
        hec.setdefault("source", DEFAULT_HEC_SOURCE)
        hec.setdefault("sourceType", DEFAULT_HEC_SOURCE)
        result["splunkHec"] = hec
    return result


def _check_combination(fields: Dict[str, Any]) -> None:
    """The rules that tie fields together (SDK StreamType, Signal, DataModelVersion docs)."""
    url = urlsplit(fields["streamEndpointUrl"])
    hec = (fields.get("exporterConfig") or {}).get("splunkHec")
    if fields["type"] == "splunk-hec":
        if fields["endpointType"] != "http":
            raise StreamError(400, "endpointType must be http when type is splunk-hec")
        if not (hec or {}).get("token"):
            raise StreamError(400, "exporterConfig.splunkHec.token is required for splunk-hec")
    elif hec is not None:
        raise StreamError(400, "exporterConfig.splunkHec can only be set when type is splunk-hec")
    if fields["endpointType"] == "grpc" and url.path not in ("", "/"):
        raise StreamError(400, "streamEndpointUrl cannot contain a path when endpointType is grpc")
    if fields["signal"] in ("trace", "log") and fields["dataModelVersion"] != "v2":
        raise StreamError(400, f"signal {fields['signal']} requires dataModelVersion v2")
