import io
import json
import xml.etree.ElementTree as ET

from splunklib.modularinput import Event, EventWriter
from ta_thousandeyes.event_xml import XmlEventWriter, to_json


def written(writer_output):
    return ET.fromstring(writer_output.getvalue().decode("utf-8"))


def test_stream_format_matches_splunklib():
    out = io.BytesIO()
    writer = XmlEventWriter(output=out, error=io.StringIO())
    prefix = writer.event_prefix("te://a", "cisco:thousandeyes:alerts", "te", "src", "h1")
    writer.add(prefix, 1700000000.5, '{"a":1}')
    writer.close()

    reference = io.StringIO()
    ref_writer = EventWriter(output=reference, error=io.StringIO())
    ref_writer.write_event(
        Event(
            data='{"a":1}',
            stanza="te://a",
            time="1700000000.500",
            sourcetype="cisco:thousandeyes:alerts",
            index="te",
            source="src",
            host="h1",
        )
    )
    ref_writer.close()
    assert out.getvalue().decode() == reference.getvalue()


def test_escaping_survives_an_xml_parser():
    out = io.BytesIO()
    writer = XmlEventWriter(output=out, error=io.StringIO())
    nasty = {"name": 'a<b>&c "q" ]]> é 😀 \u0001 \n', "k": "</data></event>"}
    prefix = writer.event_prefix('in"put<&>', "st&<", "idx", "so>urce", "ho\x01st")
    writer.add_many(prefix, [(1.0, to_json(nasty)), (2.25, to_json({"x": "\ud800"}))])
    writer.close()
    root = written(out)
    events = root.findall("event")
    assert len(events) == 2
    assert events[0].get("stanza") == 'in"put<&>'
    assert events[0].findtext("sourcetype") == "st&<"
    assert events[0].findtext("host") == "host"
    assert json.loads(events[0].findtext("data")) == nasty
    assert events[1].findtext("time") == "2.250"
    assert json.loads(events[1].findtext("data")) == {"x": "\ud800"}
    assert events[0].find("done") is not None


def test_nothing_written_until_flush():
    out = io.BytesIO()
    writer = XmlEventWriter(output=out, error=io.StringIO())
    prefix = writer.event_prefix("s", "st", "", "", "")
    writer.add(prefix, 1.0, "x")
    assert out.getvalue() == b""
    assert writer.flush() == 1
    assert out.getvalue().startswith(b"<stream><event")
    assert b"<index>" not in out.getvalue()  # empty index = the input's default


# Characters XML 1.0's Char production (section 2.2) excludes. U+FFFE and U+FFFF are valid in
# JSON, so the API can send them raw; controls and lone surrogates arrive through records the
# API client had to salvage, or through \u escapes that to_json writes back as characters.
NOT_XML = ["\ufffe", "\uffff", "\x01", "\x1b", "\ud800"]


def test_characters_xml_cannot_carry_keep_every_event_of_a_batch():
    from tests.simulators.splunk.modinput_stream import XmlEventStream

    records = [{"n": 1}, {"n": 2, "name": "x" + "".join(NOT_XML) + "y"}, {"n": 3}]
    # The record's text as the API sent it (kept raw) and as to_json(ensure_ascii=False) writes.
    raw = '{"n":2,"name":"x' + "".join(NOT_XML) + 'y"}'
    for middle in (raw, to_json(records[1])):
        out = io.BytesIO()
        writer = XmlEventWriter(output=out, error=io.StringIO())
        prefix = writer.event_prefix("s\uffff", "st\ufffe", "i", "src\x01", "h")
        writer.add_many(prefix, [(1.0, to_json(records[0])), (2.0, middle)])
        writer.add(prefix, 3.0, to_json(records[2]))
        writer.close()
        data = [event.findtext("data") for event in written(out).findall("event")]
        assert [json.loads(text) for text in data] == records  # the same JSON values
        stand_in = XmlEventStream()
        events = list(stand_in.feed(out.getvalue())) + list(stand_in.close())
        assert [json.loads(event["data"]) for event in events] == records
        assert {event["stanza"] for event in events} == {"s"}
