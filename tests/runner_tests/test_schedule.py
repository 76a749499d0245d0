"""The interval setting: seconds, cron, or run once."""

import time

import pytest

from tests.simulators.splunk.modinput_schedule import parse_interval


def test_seconds():
    schedule = parse_interval("60")
    assert schedule.next_after(1000.0) == 1060.0
    assert parse_interval("0.5").next_after(10.0) == 10.5


@pytest.mark.parametrize("value", [None, "", "-1"])
def test_run_once(value):
    schedule = parse_interval(value)
    assert schedule.run_once
    assert schedule.next_after(5.0) is None


def test_cron_every_five_minutes():
    start = time.mktime((2024, 5, 1, 10, 2, 30, 0, 0, -1))
    assert parse_interval("*/5 * * * *").next_after(start) == time.mktime(
        (2024, 5, 1, 10, 5, 0, 0, 0, -1)
    )


def test_cron_fixed_hour_and_weekday():
    start = time.mktime((2024, 5, 1, 10, 0, 0, 0, 0, -1))  # a Wednesday
    expected = time.mktime((2024, 5, 6, 3, 30, 0, 0, 0, -1))  # the next Monday 03:30
    assert parse_interval("30 3 * * 1").next_after(start) == expected


@pytest.mark.parametrize("value", ["every minute", "* * * *", "61 * * * *", "*/0 * * * *"])
def test_bad_intervals(value):
    with pytest.raises(ValueError):
        parse_interval(value)
