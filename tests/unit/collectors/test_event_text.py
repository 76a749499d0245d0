"""event_text, the one builder of every collector's event: from the record's original text or
by encoding, the same JSON object, enrichment first (props.conf reads the time there)."""

import json

import pytest
from ta_thousandeyes.collectors import activity, events
from ta_thousandeyes.collectors.event_text import event_text
from ta_thousandeyes.event_xml import to_json

HEAD = {"eventTime": "2026-11-30T08:00:00Z", "eventState": "ongoing", "aid": "2001"}
RECORDS = [
    {"id": "e1", "startDate": "2026-11-30T08:00:00Z", "x": 1.5, "note": 'a "quoted" ü'},
    {"date": "2026-11-30T08:00:00Z", "roundId": 1796025600, "nested": {"date": 1}},
    {"roundId": 1796025600.0, "date": "2026-11-30T08:00:00Z"},
    {"aid": "other", "date": "2026-11-30T08:00:00Z"},  # collides with the head: encoded
    {},
]


def merged(head, record, lead=None):
    event = {lead: record.get(lead)} if lead else {}
    event.update(head)
    event.update(record)
    return event


def items(text):
    return list(json.loads(text).items())


@pytest.mark.parametrize("record", RECORDS)
@pytest.mark.parametrize(
    "head, lead", [(HEAD, None), (HEAD, "date"), (HEAD, "roundId"), ({}, "date"), ({}, "roundId")]
)
def test_spliced_equals_encoded(record, head, lead):
    expected = items(to_json(merged(head, record, lead)))
    for raw in (json.dumps(record, separators=(",", ":"), ensure_ascii=False),
                json.dumps(record, indent=1), None):  # fmt: skip
        text = event_text(head, record, raw, lead=lead)
        assert items(text) == expected, (raw, text)
        assert items(event_text(head, record, raw, to_json(head)[1:-1], lead)) == expected


def test_original_text_is_kept_when_plain():
    raw = '{"x":1.50,"date":"2026-11-30T08:00:00Z"}'
    text = event_text({}, json.loads(raw), raw, lead="date")
    assert text == '{"date":"2026-11-30T08:00:00Z","x":1.50}'  # the float as sent
    assert event_text(HEAD, {"x": 1.5}, '{"x":1.50}').endswith('"aid":"2001","x":1.50}')


def test_events_and_activity_from_the_original_text_equal_the_encoded(clock):
    record = {"id": "e1", "startDate": "2026-11-30T08:00:00Z", "severity": 1.25}
    raw = json.dumps(record, separators=(",", ":"))

    class Ctx:
        now = staticmethod(clock)

    convert = events.make_converter(Ctx(), "2001")
    assert convert(record, raw)[0][:3] == convert(record, None)[0][:3]
    assert items(convert(record, raw)[0][3]) == items(convert(record, None)[0][3])
    assert convert(record, raw)[0][3].startswith('{"eventTime":"2026-11-30T08:00:00Z"')
    entry = {"user": "u", "date": "2026-11-30T08:00:00Z", "event": "Login"}
    raw = json.dumps(entry, separators=(",", ":"))
    assert items(activity.convert(entry, raw)[0][3]) == items(activity.convert(entry)[0][3])
    assert activity.convert(entry, raw)[0][3].startswith('{"date":"2026-11-30T08:00:00Z",')
