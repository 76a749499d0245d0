"""The stdout parser: XML event streams (unbroken chunks, several streams) and simple mode."""

import pytest

from tests.simulators.splunk.modinput_stream import (
    SimpleLineStream,
    StreamFormatError,
    XmlEventStream,
)


def parse(pieces):
    stream = XmlEventStream()
    events = []
    for piece in pieces:
        events.extend(stream.feed(piece.encode()))
    events.extend(stream.close())
    return events


def test_events_split_across_reads_are_parsed():
    text = (
        '<stream><event stanza="s://a" unbroken="1"><time>12.5</time><sourcetype>st</sourcetype>'
        "<index>i</index><source>src</source><host>h</host><data>hello &amp; bye</data><done/>"
        "</event><event><data>two</data></event></stream>"
    )
    events = parse([text[i : i + 7] for i in range(0, len(text), 7)])
    assert [e["data"] for e in events] == ["hello & bye", "two"]
    first = events[0]
    assert (first["time"], first["sourcetype"], first["index"], first["source"], first["host"]) == (
        "12.5",
        "st",
        "i",
        "src",
        "h",
    )
    assert first["stanza"] == "s://a"
    assert events[1]["stanza"] is None and events[1]["time"] is None


def test_unbroken_chunks_are_joined_until_done_per_stanza():
    events = parse(
        [
            '<stream><event stanza="a" unbroken="1"><time>1</time><data>A1 </data></event>'
            '<event stanza="b" unbroken="1"><data>B-whole</data><done/></event>'
            '<event stanza="a" unbroken="1"><data>A2 </data></event>'
            '<event stanza="a" unbroken="1"><data>A3</data><done/></event></stream>'
        ]
    )
    assert [(e["stanza"], e["data"]) for e in events] == [("b", "B-whole"), ("a", "A1 A2 A3")]
    assert events[1]["time"] == "1"


def test_unfinished_unbroken_event_is_kept_at_end_of_stream():
    events = parse(['<stream><event unbroken="1"><data>partial</data></event></stream>'])
    assert [e["data"] for e in events] == ["partial"]


def test_several_stream_documents_in_a_row():
    events = parse(
        [
            "<stream><event><data>1</data></event></stream>",
            "<stream><event><data>2</data></event></stream>",
        ]
    )
    assert [e["data"] for e in events] == ["1", "2"]


def test_cut_off_stream_keeps_complete_events():
    events = parse(["<stream><event><data>1</data></event><event><data>tru"])
    assert [e["data"] for e in events] == ["1"]


@pytest.mark.parametrize(
    "text",
    ["plain text is not xml", "<stream><event><data>x</wrong></event></stream>", "<events/>"],
)
def test_malformed_streams_raise(text):
    with pytest.raises(StreamFormatError):
        parse([text])


def test_empty_stdout_has_no_events():
    assert parse([]) == []


def test_simple_mode_makes_one_event_per_line():
    stream = SimpleLineStream()
    events = (
        list(stream.feed(b"one\r\ntw")) + list(stream.feed(b"o\n\nthree")) + list(stream.close())
    )
    assert [e["data"] for e in events] == ["one", "two", "three"]


@pytest.mark.parametrize(
    "bad",
    [b"\xef\xbf\xbe", b"\xef\xbf\xbf", b"\x01", b"\x1b", b"&#xFFFF;", b"&#1;", b"\xed\xa0\x80"],
    ids=["U+FFFE", "U+FFFF", "U+0001", "U+001B", "ref-FFFF", "ref-1", "surrogate"],
)
def test_characters_xml_10_excludes_end_the_stream(bad):
    """splunkd reads XML streaming mode as an XML document in UTF-8 ("Set up streaming",
    docs.splunk.com/Documentation/Splunk/9.2.3/AdvancedDev/ModInputsStream). XML 1.0
    (W3C REC-xml, 5th ed.) section 2.2 production [2] Char allows #x9 #xA #xD, #x20-#xD7FF,
    #xE000-#xFFFD and #x10000-#x10FFFF only; section 4.1 "WFC: Legal Character" applies the
    same to character references; a well-formedness violation is a fatal error after which
    the processor must not continue normal processing (section 1.2, "fatal error"). So the
    events before the character are indexed and nothing after it is.
    """
    stream = XmlEventStream()
    text = (
        b'<stream><event unbroken="1"><data>1</data><done/></event>'
        b'<event unbroken="1"><data>2' + bad + b"</data><done/></event>"
        b'<event unbroken="1"><data>3</data><done/></event></stream>'
    )
    events = []
    with pytest.raises(StreamFormatError):
        for event in stream.feed(text):
            events.append(event)
    assert [e["data"] for e in events] == ["1"]
