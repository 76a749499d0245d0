"""Optional per-connection features and the one OAuth scope each adds to what a flow asks for.

An OAuth connection asks for the base scopes (``[oauth] scopes`` of
``ta_thousandeyes_settings.conf``) plus the scope of each feature the admin turned on for it
on the setup page, so a scope that writes (``streams:manage``, ``tests:manage``) is asked for
only where it is used. The browser names features by key; it never sends a scope.
"""

from collections import OrderedDict
from typing import Iterable, List, NamedTuple


class Feature(NamedTuple):
    key: str
    label: str
    scope: str
    description: str


STREAMS = "streams"
INSTANT_TESTS = "instant_tests"
ENDPOINT_AGENTS = "endpoint_agents"

FEATURES = OrderedDict(
    (feature.key, feature)
    for feature in (
        Feature(
            STREAMS,
            "Streams",
            "streams:manage",
            "Create and manage ThousandEyes streams into Splunk's HTTP Event Collector "
            "(the Streams section below).",
        ),
        Feature(
            INSTANT_TESTS,
            "Instant-test alert action",
            "tests:manage",  # assumed: ThousandEyes documents no instant-test scope
            'Lets the alert action "Run a ThousandEyes instant test" run tests on this '
            "connection. tests:manage also allows changing tests.",
        ),
        Feature(
            ENDPOINT_AGENTS,
            "Endpoint agent data",
            "endpoint-tests:read",
            "Read endpoint agents and their tests and results (the endpoint inputs).",
        ),
    )
)


class UnknownFeatureError(ValueError):
    """A feature key that is not in FEATURES."""


def parse(keys: Iterable[str]) -> List[str]:
    """Known feature keys in FEATURES' order, without repeats; UnknownFeatureError otherwise."""
    wanted = [key.strip() for key in keys if key and key.strip()]
    unknown = sorted({key for key in wanted if key not in FEATURES})
    if unknown:
        raise UnknownFeatureError(
            "Unknown feature(s): {}. Known: {}".format(", ".join(unknown), ", ".join(FEATURES))
        )
    return [key for key in FEATURES if key in wanted]


def known(keys: Iterable[str]) -> List[str]:
    """The known keys among ``keys`` (a hand-edited conf must not break the connection)."""
    return [key for key in FEATURES if key in set(keys)]


def for_scopes(scopes: Iterable[str]) -> List[str]:
    """The features whose scope is among ``scopes``."""
    have = set(scopes)
    return [key for key, feature in FEATURES.items() if feature.scope in have]


def requested_scopes(base: Iterable[str], keys: Iterable[str]) -> List[str]:
    """What an OAuth flow asks for: the base scopes, then each chosen feature's scope."""
    scopes = list(base) + [FEATURES[key].scope for key in known(keys)]
    return list(OrderedDict.fromkeys(scopes))


def label(key: str) -> str:
    """The checkbox's words, e.g. "Streams (streams:manage)"."""
    feature = FEATURES[key]
    return f"{feature.label} ({feature.scope})"
