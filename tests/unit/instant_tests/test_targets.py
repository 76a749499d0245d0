"""Targets from alert results: what parses as each test type needs, and the admin's allow-list."""

import gzip
import logging

import pytest
from ta_thousandeyes.instant_tests import (
    ActionError,
    AllowList,
    Firing,
    TargetRefused,
    choose_targets,
    parse_target,
    read_results,
    target_of,
    trigger_fields,
)

ALLOW = AllowList("*.example.com, shop.example.org 10.0.0.0/8, 192.0.2.7, 2001:db8::/32")


@pytest.mark.parametrize(
    "value, kind, request_target, host",
    [
        ("www.example.com", "host", "www.example.com", "www.example.com"),
        ("WWW.Example.COM:8443", "host", "www.example.com:8443", "www.example.com"),
        ("10.1.2.3", "host", "10.1.2.3", "10.1.2.3"),
        ("[2001:db8::1]:443", "host", "[2001:db8::1]:443", "[2001:db8::1]"),
        ("2001:db8::1", "host", "2001:db8::1", "[2001:db8::1]"),
        ("https://shop.example.org/cart?x=1", "url", "https://shop.example.org/cart?x=1",
         "shop.example.org"),
        ("HTTP://a.example.com:8080", "url", "http://a.example.com:8080/", "a.example.com"),
        ("a.example.com", "url", "https://a.example.com/", "a.example.com"),
        ("Example.com.", "domain", "example.com", "example.com"),
    ],
)  # fmt: skip
def test_accepted_forms(value, kind, request_target, host):
    assert parse_target(value, kind) == (request_target, host)


@pytest.mark.parametrize(
    "value, kind",
    [
        ("", "host"),
        ("a b.example.com", "host"),
        ("www.example.com;rm", "host"),
        ("www.example.com:0", "host"),
        ("www.example.com:99999", "host"),
        ("010.1.2.3", "host"),  # octal-looking: parsers disagree
        ("0x7f.1", "host"),
        ("1.2.3", "host"),
        ("exämple.com", "host"),
        ("localhost", "host"),  # not a dotted DNS name
        ("https://user@a.example.com/", "url"),
        ("https://a.example.com/#frag", "url"),
        ("ftp://a.example.com/", "url"),
        ("javascript:alert(1)", "url"),
        ("https://a.example.com\\@evil.com/", "url"),
        ("10.1.2.3", "domain"),
        ("-a.example.com", "domain"),
        ("a.example.com\n", "host"),
    ],
)
def test_refused_forms(value, kind):
    with pytest.raises(TargetRefused):
        parse_target(value, kind)


def test_allow_list_matches_names_suffixes_and_networks_only():
    assert ALLOW.allows("www.example.com") and ALLOW.allows("a.b.example.com")
    assert not ALLOW.allows("example.com")  # *.example.com is below, not the apex
    assert not ALLOW.allows("www.example.com.evil.net")
    assert not ALLOW.allows("wwwexample.com")
    assert ALLOW.allows("shop.example.org") and not ALLOW.allows("www.shop.example.org")
    assert ALLOW.allows("10.200.0.1") and ALLOW.allows("192.0.2.7")
    assert not ALLOW.allows("192.0.2.8") and not ALLOW.allows("11.0.0.1")
    assert ALLOW.allows("[2001:db8::1]") and not ALLOW.allows("[2001:db9::1]")
    assert not AllowList("10.0.0.0/8").allows("ten.example.com")  # names are never resolved
    assert not AllowList("")


def test_a_bad_allow_list_entry_stops_the_action():
    with pytest.raises(ActionError, match="allowed_targets"):
        Firing(payload(), {"enabled": "1", "allowed_targets": "example.com, not a host!"})


def payload(**config):
    base = {"connection": "prod", "test_type": "agent-to-server", "target_field": "host",
            "agents": "101, 102"}  # fmt: skip
    base.update(config)
    return {"sid": "s1", "search_name": "n", "configuration": base}


@pytest.mark.parametrize(
    "config, message",
    [
        ({"test_type": "bgp"}, "test type"),
        ({"agents": ""}, "agents"),
        ({"agents": "101; drop"}, "agents"),
        ({"target_field": "a b"}, "target field"),
        ({"index": "../x"}, "index"),
        ({"poll_interval": "0"}, "poll_interval"),
        ({"connection": ""}, "connection"),
    ],
)
def test_form_values_are_checked(config, message):
    with pytest.raises(ActionError, match=message):
        Firing(payload(**config), {"enabled": "1", "allowed_targets": "a.example.com"})


def test_disabled_by_default():
    with pytest.raises(ActionError, match="not enabled"):
        Firing(payload(), {})


@pytest.fixture
def package_log(caplog):
    """caplog for the add-on's loggers, also once an input in this process has run
    redaction.configure_logging (which stops them propagating to the root's handlers)."""
    logger = logging.getLogger("ta_thousandeyes")
    logger.addHandler(caplog.handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        yield caplog
    finally:
        logger.removeHandler(caplog.handler)
        logger.setLevel(level)


def test_choose_targets_dedups_caps_and_refuses(package_log):
    firing = Firing(payload(), {"enabled": "1", "allowed_targets": "*.example.com",
                                "max_targets_per_firing": "2"})  # fmt: skip
    rows = [
        {"host": "a.example.com", "n": "1"},
        {"host": "evil.net", "n": "2"},
        {"host": "A.example.com", "n": "3"},  # the same target written differently
        {"host": "b.example.com", "n": "4"},
        {"host": "c.example.com", "n": "5"},  # over the cap
        {"host": "", "n": "6"},
        {"host": "d.example.com\nx.example.com", "__mv_host": "$d.example.com$;$x$", "n": "7"},
    ]
    chosen, refused, over = choose_targets(firing, rows)
    assert [(t, n) for t, _, n in chosen] == [("a.example.com", 1), ("b.example.com", 4)]
    assert (refused, over) == (3, 1)
    lines = [r.getMessage() for r in package_log.records]
    assert any("evil.net" in line and "not in" in line for line in lines)
    assert any("several values" in line for line in lines)


def test_target_of_and_trigger_fields():
    row = {"host": " a.example.com ", "__mv_tags": "$x$;$y$", "tags": "x\ny", "big": "z" * 5000}
    assert target_of(row, "host") == "a.example.com"
    with pytest.raises(TargetRefused):
        target_of(row, "tags")
    fields = trigger_fields(row)
    assert "__mv_tags" not in fields and len(fields["big"]) == 1024


def test_read_results_reads_splunks_gzipped_csv(tmp_path):
    path = tmp_path / "results.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as handle:
        handle.write('host,count,__mv_host\n"a.example.com",3,\n')
    assert read_results(str(path)) == [{"host": "a.example.com", "count": "3", "__mv_host": ""}]
