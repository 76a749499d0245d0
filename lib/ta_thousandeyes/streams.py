"""ThousandEyes streams into Splunk's HTTP Event Collector: the stream bodies we send, the view
the setup page may see, and which tests a connection's streams cover.

Facts (``shared/reference/thousandeyes-streams-endpoint.md`` section 1): ``/v7/streams``
create, list, get, PUT (overwrites the fields it carries), delete; scope ``streams:manage``;
a ``splunk-hec`` stream needs ``endpointType=http`` and ``exporterConfig.splunkHec.token``;
``testMatch``, ``tagMatch`` and ``filters.testTypes`` pick the data; the official Splunk app's
sourcetypes ``cisco:thousandeyes:metric|trace|activity`` and source ``cisco:thousandeyes:stream``.

Invariants:
- Ours are the streams whose name starts with ``OURS_PREFIX`` (the add-on sets it on create
  and keeps it on edit); nothing else marks them, so the mark survives any client.
- ``public_view`` is the only shape of a stream that leaves the add-on: it never carries the
  HEC token or any ``exporterConfig``/``customHeaders`` value.
"""

import re
from typing import Any, Dict, Iterable, List, Optional

from . import connections

SCOPE = "streams:manage"
OURS_PREFIX = "TA-thousandeyes: "
SOURCE = "cisco:thousandeyes:stream"
SOURCETYPES = {
    "metric": "cisco:thousandeyes:metric",
    "trace": "cisco:thousandeyes:trace",
    "log": "cisco:thousandeyes:activity",
}
SIGNALS = tuple(SOURCETYPES)
TEST_TYPES = (
    "api", "agent-to-agent", "agent-to-server", "bgp", "http-server", "page-load",
    "web-transactions", "ftp-server", "dns-trace", "dns-server", "dnssec", "sip-server", "voice",
)  # fmt: skip
MAX_STREAMS_PER_GROUP = 10
_TAG_KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")  # OTel attribute naming


class StreamSpecError(ValueError):
    """A stream setting an admin must correct (the message says how)."""


def ours(stream: Dict[str, Any]) -> bool:
    return str(stream.get("name") or "").startswith(OURS_PREFIX)


def our_name(name: str) -> str:
    text = (name or "").strip()
    if text.startswith(OURS_PREFIX):
        text = text[len(OURS_PREFIX) :].strip()
    if not text:
        raise StreamSpecError("Give the stream a name")
    full = OURS_PREFIX + text
    if len(full) > 255:
        raise StreamSpecError("A stream name is at most 255 characters")
    return full


def parse_ids(value: Optional[str]) -> List[str]:
    ids = [part.strip() for part in (value or "").split(",") if part.strip()]
    for test_id in ids:
        if not test_id.isdigit():
            raise StreamSpecError(f"Test ids are numbers, not {test_id!r}")
    return list(dict.fromkeys(ids))


def parse_tags(value: Optional[str]) -> List[Dict[str, str]]:
    """``key=value, key=value`` into ``tagMatch`` entries."""
    tags = []
    for part in (value or "").split(","):
        if not part.strip():
            continue
        key, sep, tag_value = part.partition("=")
        key, tag_value = key.strip(), tag_value.strip()
        if not sep or not _TAG_KEY.match(key) or not tag_value:
            raise StreamSpecError(
                f"Tags are key=value with keys like env or team.name, not {part.strip()!r}"
            )
        tags.append({"key": key, "value": tag_value})
    return tags


def parse_test_types(value: Optional[str]) -> List[str]:
    types = [part.strip() for part in (value or "").split(",") if part.strip()]
    unknown = [t for t in types if t not in TEST_TYPES]
    if unknown:
        raise StreamSpecError(
            "Unknown test type(s) {}; known: {}".format(", ".join(unknown), ", ".join(TEST_TYPES))
        )
    return list(dict.fromkeys(types))


def create_body(
    name: str,
    hec_url: str,
    token: str,
    signal: str = "metric",
    tests: Iterable[str] = (),
    tags: Iterable[Dict[str, str]] = (),
    test_types: Iterable[str] = (),
    index: str = "",
    sourcetype: str = "",
    enabled: bool = True,
) -> Dict[str, Any]:
    """The ``POST /v7/streams`` body of a splunk-hec stream, data model v2."""
    if signal not in SIGNALS:
        raise StreamSpecError("Signal must be one of " + ", ".join(SIGNALS))
    body = {
        "name": our_name(name),
        "type": "splunk-hec",
        "endpointType": "http",
        "dataModelVersion": "v2",
        "signal": signal,
        "streamEndpointUrl": hec_url,
        "enabled": bool(enabled),
        "testMatch": [{"id": test_id, "domain": "cea"} for test_id in tests],
        "tagMatch": list(tags),
        "exporterConfig": {
            "splunkHec": hec_config(token, index, sourcetype or SOURCETYPES[signal])
        },
    }  # type: Dict[str, Any]
    types = list(test_types)
    if types:
        body["filters"] = {"testTypes": {"values": types}}
    return body


def hec_config(token: str, index: str, sourcetype: str) -> Dict[str, str]:
    config = {"token": token, "source": SOURCE, "sourceType": sourcetype}
    if index:
        config["index"] = index
    return config


def public_view(stream: Dict[str, Any]) -> Dict[str, Any]:
    """What the setup page may see of a stream: no token, no header values."""
    hec = ((stream.get("exporterConfig") or {}).get("splunkHec") or {}) if isinstance(
        stream.get("exporterConfig"), dict) else {}  # fmt: skip
    status = stream.get("streamStatus") if isinstance(stream.get("streamStatus"), dict) else {}
    filters = stream.get("filters") if isinstance(stream.get("filters"), dict) else {}
    types = ((filters.get("testTypes") or {}).get("values") or []) if filters else []
    return {
        "id": str(stream.get("id", "")),
        "name": str(stream.get("name", "")),
        "ours": ours(stream),
        "type": str(stream.get("type", "")),
        "signal": str(stream.get("signal", "")),
        "dataModelVersion": str(stream.get("dataModelVersion", "")),
        "endpointType": str(stream.get("endpointType", "")),
        "streamEndpointUrl": str(stream.get("streamEndpointUrl", "")),
        "enabled": bool(stream.get("enabled", True)),
        "tests": [
            str(m.get("id", "")) for m in stream.get("testMatch") or [] if isinstance(m, dict)
        ],
        "tags": [
            "{}={}".format(t.get("key", ""), t.get("value", ""))
            for t in stream.get("tagMatch") or []
            if isinstance(t, dict)
        ],
        "testTypes": [str(t) for t in types],
        "index": str(hec.get("index") or ""),
        "sourcetype": str(hec.get("sourceType") or ""),
        "source": str(hec.get("source") or ""),
        "token": "set" if hec.get("token") else "not set",
        "status": {
            "status": str(status.get("status") or "pending"),
            "lastSuccess": status.get("lastSuccess"),
            "lastFailure": status.get("lastFailure"),
        },
    }


def holds_scope(auth_method: str, scopes: Iterable[str]) -> bool:
    """Whether a connection may read and manage streams: a user API token carries every scope
    (connections.API_TOKEN), an OAuth connection only the scopes it was authorized with."""
    return auth_method == connections.API_TOKEN or SCOPE in set(scopes or ())


def coverage_since(streams: Iterable[Dict[str, Any]]) -> Dict[str, float]:
    """Which tests' metric data the streams deliver, and since when: test id -> epoch seconds
    of the covering stream's last change (``auditOperation`` updatedDate, else createdDate;
    the earliest when several streams cover a test).

    Only enabled splunk-hec metric streams of data model v2 count, not failing ones (their
    data does not reach Splunk), and only through the test ids of their ``testMatch``:
    tags are not in the tests listing and a test-type filter may drop a named test, so a
    stream with a test-type filter, or naming no test, covers nothing here. A stream without
    dates covers nothing (when its data begin is unknown). Under-counting coverage polls
    twice at worst, never loses data."""
    since = {}  # type: Dict[str, float]
    for stream in streams:
        if not isinstance(stream, dict) or not stream.get("enabled", True):
            continue
        if stream.get("type") != "splunk-hec" or stream.get("signal", "metric") != "metric":
            continue
        if stream.get("dataModelVersion") not in (None, "v2"):
            continue
        status = stream.get("streamStatus") if isinstance(stream.get("streamStatus"), dict) else {}
        if status.get("status") == "failing":
            continue
        filters = stream.get("filters") if isinstance(stream.get("filters"), dict) else {}
        if filters and (filters.get("testTypes") or {}).get("values"):
            continue
        changed = _last_change(stream.get("auditOperation"))
        if changed is None:
            continue
        for match in stream.get("testMatch") or []:
            if isinstance(match, dict) and match.get("domain", "cea") == "cea":
                test_id = str(match.get("id"))
                since[test_id] = min(since.get(test_id, changed), changed)
    return since


def _last_change(audit: Any) -> Optional[float]:
    """Epoch seconds of a stream's last change (its audit dates are epoch ms)."""
    if not isinstance(audit, dict):
        return None
    for name in ("updatedDate", "createdDate"):
        value = audit.get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
            return value / 1000.0
    return None
