"""Event text spliced from the API's original JSON equals the re-encoded event, key for key."""

import json

import pytest
from ta_thousandeyes.collectors import alerts, results
from ta_thousandeyes.collectors.base import iso, iso_of, parse_iso
from ta_thousandeyes.collectors.event_text import member_first, splice
from ta_thousandeyes.json_spans import parse_body

RECORDS = [
    {
        "date": "2026-11-30T08:00:00Z",
        "roundId": 1796025600,
        "agent": {"agentId": "122", "agentName": "Sao Paulo 22"},
        "avgLatency": 29.157,
        "loss": 0.0,
        "note": 'quote " and "roundId": 5 and <xml> & ünïcode',
    },
    {"roundId": 1796025600, "agent": {"agentId": "9"}, "x": [1, {"roundId": 1}]},
    {"agent": {"agentId": "7", "agentName": "A"}, "roundId": 1796025660},
    {"roundId": 1796025600},
]


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@pytest.mark.parametrize(
    "text",
    [
        '{"results":[%s],"_links":{"next":{"href":"/x?cursor=1"}}}',
        '  { "test" : {"a":1} , "results" : [ %s ] }\n',
        '{"results":[%s]}',
    ],
)
def test_parse_body_keeps_each_item_text(text):
    body_text = text % ",".join(compact(r) for r in RECORDS)
    body, raw = parse_body(body_text.encode("utf-8"), "results")
    assert body == json.loads(body_text)
    assert [json.loads(r) for r in raw] == RECORDS
    assert raw[0] == compact(RECORDS[0])


@pytest.mark.parametrize(
    "content",
    [b'{"results":[]}', b'{"other":1}', b'\xef\xbb\xbf{"results":[{"a":1}]}', b'{"results":5}'],
)
def test_parse_body_unusual_shapes_fall_back_to_json_loads(content):
    body, raw = parse_body(content, "results")
    assert body == json.loads(content)
    assert raw is None or raw == []


@pytest.mark.parametrize("content", [b'{"results":[1,]}', b'{"results":[1]} x', b"[1]", b"{"])
def test_parse_body_rejects_invalid_json(content):
    with pytest.raises(ValueError):
        parse_body(content, "results")


def test_spliced_results_equal_reencoded_results():
    test = {"testId": 10001, "testName": 'web "1"', "type": "agent-to-server"}
    convert = results.ResultConverter(test, "network", "2001", {"9": "Nine"})
    for record in RECORDS:
        raw = compact(record)
        fast = convert(record, raw)
        slow = convert(record, None)
        assert fast[0][:3] == slow[0][:3]
        # same members, same order, roundId first (props.conf reads the time there)
        assert list(json.loads(fast[0][3]).items()) == list(json.loads(slow[0][3]).items())
        assert fast[0][3].startswith('{"roundId":' + str(record["roundId"]) + ",")
    # the spliced text keeps the API's float text as sent
    assert "29.157" in convert(RECORDS[0], compact(RECORDS[0]))[0][3]


def test_records_the_splice_cannot_handle_are_encoded():
    convert = results.ResultConverter({"testId": "1"}, "network", "1", {})
    record = {"roundId": 60, "testId": "other"}  # collides with an enrichment member
    text = convert(record, compact(record))[0][3]
    assert json.loads(text)["testId"] == "other" and text.count('"testId"') == 1
    pretty = json.dumps({"roundId": 60, "a": 1}, indent=1)
    assert json.loads(convert(json.loads(pretty), pretty)[0][3])["a"] == 1


def test_unknown_agent_is_reported():
    calls = []
    convert = results.ResultConverter(
        {"testId": "1"}, "network", "1", {"6": "Six"}, lambda: calls.append(1)
    )
    convert({"roundId": 60, "agent": {"agentId": "6"}}, None)
    assert calls == []
    convert({"roundId": 60, "agent": {"agentId": "5"}}, None)
    assert calls == [1]


def test_spliced_alerts_equal_reencoded_alerts():
    record = {"id": "a1", "startDate": "2026-10-31T08:30:00Z", "endDate": "2026-10-31T09:30:00Z"}
    for state in alerts.STATES:
        convert = alerts.make_converter(state, "2001")
        fast, slow = convert(record, compact(record)), convert(record, None)
        assert fast[0][:3] == slow[0][:3]
        assert list(json.loads(fast[0][3]).items()) == list(json.loads(slow[0][3]).items())
        assert fast[0][3].startswith('{"eventTime":"')


def test_event_text_helpers():
    assert splice('"a":1', "{}") == '{"a":1}'
    assert splice('"a":1', '{"b":2}') == '{"a":1,"b":2}'
    assert splice('"a":1', '{"b":\n2}') is None
    assert member_first('{"r":1,"b":2}', "r", "1", '"h":0') == '{"r":1,"h":0,"b":2}'
    assert member_first('{"b":2,"r":1,"c":3}', "r", "1", '"h":0') == '{"r":1,"h":0,"b":2,"c":3}'
    assert member_first('{"b":2,"r":1}', "r", "1", '"h":0') == '{"r":1,"h":0,"b":2}'
    assert member_first('{"r":1}', "r", "1", '"h":0') == '{"r":1,"h":0}'
    assert member_first('{"r":12}', "r", "1", '"h":0') is None  # a longer value
    assert member_first('{"r":1,"x":{"r":1}}', "r", "1", '"h":0') is None  # twice
    assert member_first('{"r": 1}', "r", "1", '"h":0') is None  # spaced
    assert member_first('{"b":"x\\"r":1","r":1}', "r", "1", '"h":0') is None
    assert member_first('{"r":1,\n"b":2}', "r", "1", '"h":0') is None


@pytest.mark.parametrize(
    "text",
    ["2024-05-01T10:00:00Z", "2024-05-01T10:00:00.250Z", "2024-05-01T12:00:00+02:00",
     "2024-05-01T10:00:60Z", "2024-05-01T10:00:61Z", "2024-02-29T23:59:59Z"],
)  # fmt: skip
def test_iso_of_equals_iso_of_the_parsed_time(text):
    epoch = parse_iso(text)
    assert iso_of(text, epoch) == iso(epoch)


@pytest.mark.parametrize(
    "text",
    ["2024-05-01T10:00:00Z", "2024-02-29T23:59:59Z", "2024-05-01T10:00:00.250Z",
     "2024-05-01T12:00:00+02:00", "1970-01-01T00:00:00Z"],
)  # fmt: skip
def test_parse_iso_fast_path_agrees_with_datetime(text):
    from datetime import datetime

    expected = datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    assert parse_iso(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["2024-13-01T10:00:00Z", "2024-05-01T25:00:00Z", "x" * 20, 5])
def test_parse_iso_rejects_bad_dates(text):
    assert parse_iso(text) is None
