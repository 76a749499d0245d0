"""API dates read with datetime.fromisoformat: every shape the API and the tests use, on the
Python running the suite (tests/shipped runs the shipped package on 3.9 and 3.13 too)."""

import calendar
import time

import pytest
from ta_thousandeyes.collectors.base import iso, parse_iso


def utc(text):
    return float(calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%S")))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-11-30T08:00:00Z", utc("2026-11-30T08:00:00")),  # the API's form
        ("2026-11-30T08:00:00.250Z", utc("2026-11-30T08:00:00") + 0.25),
        ("2026-11-30T08:00:00.250000Z", utc("2026-11-30T08:00:00") + 0.25),
        ("2026-11-30T10:00:00+02:00", utc("2026-11-30T08:00:00")),
        ("2026-11-30T02:30:00-05:30", utc("2026-11-30T08:00:00")),
        ("2026-11-30T08:00:00+00:00", utc("2026-11-30T08:00:00")),
        ("2026-11-30T08:00:00", utc("2026-11-30T08:00:00")),  # no offset: UTC, not local time
        ("2024-02-29T23:59:59Z", utc("2024-02-29T23:59:59")),
        ("2016-12-31T23:59:60Z", utc("2017-01-01T00:00:00")),  # a leap second
        ("1970-01-01T00:00:00Z", 0.0),
    ],
)
def test_api_dates(text, expected):
    assert parse_iso(text) == expected


def test_no_offset_is_utc_whatever_the_local_zone(monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert parse_iso("2026-11-30T08:00:00") == utc("2026-11-30T08:00:00")
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


@pytest.mark.parametrize(
    "text",
    ["2023-02-29T10:00:00Z", "2026-11-30T24:00:00Z", "2026-11-30T08:60:00Z", "2026-11-30",
     "2026-11-30T08:00Z", "2026-11-30T08:00:00Zjunk", "", "not a date at all", None, 1796025600,
     "2026-11-30T08:00:62Z"],
)  # fmt: skip
def test_bad_dates_are_none(text):
    assert parse_iso(text) is None


def test_iso_round_trip():
    assert iso(parse_iso("2026-11-30T08:00:00Z")) == "2026-11-30T08:00:00Z"
