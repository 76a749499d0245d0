"""What json_spans relies on in ``json.JSONDecoder.scan_once``, which json does not document.

``scan_once(text, index)`` is the C scanner json.loads itself runs; json_spans walks a body
with it to keep each record's text. These checks pin its behaviour on Splunk's two Pythons:
on the suite's interpreter directly, and on the bare 3.9 and 3.13 ones (``make test``
provides them) in a child process.
"""

import json
import subprocess

import pytest
from ta_thousandeyes import json_spans

from tests.pythons import ROOT, bare_python

VALUES = ['{"a":1,"b":[true,false,null]}', "[1,2.5,-0,1e5]", '"x\\"y"', "12", "-0.5e3", "true",
          "null", '{"n":{"m":[1,{"k":"v"}]}}', '"\\u00e9\\ud83d\\ude00\\ud800"', "[]", "{}",
          "1.0", "123456789012345678901234567890", '"ü€"']  # fmt: skip


def check_scan_once():
    scan, lenient = json_spans._SCAN, json_spans._LENIENT_SCAN
    # The C scanner, not json's pure-Python fallback: that is where the speed comes from.
    assert json.scanner.c_make_scanner is not None
    assert isinstance(scan, json.scanner.c_make_scanner)
    for value in VALUES:
        for before, after in (("", ""), ("[", ","), ('{"k":', "}"), (", ", " ]")):
            text = before + value + after
            parsed, end = scan(text, len(before))
            # (value exactly as json.loads makes it, index just past the value's text)
            expected = json.loads(value)
            assert (type(parsed), parsed, end) == (type(expected), expected, len(before + value))
    assert scan('"name":1', 0) == ("name", 6)  # a member name, as the walker reads it
    nan, end = scan("NaN,", 0)
    assert nan != nan and end == 3  # what json.loads accepts, json_spans accepts
    # Nothing starts at index: StopIteration (whitespace is not skipped; the walker does it).
    for text, index in ((" 1", 0), ("[1]", 2), ("[1]", 3), ("", 0), ("x", 0)):
        with pytest.raises(StopIteration):
            scan(text, index)
    # A value that starts but is malformed or cut off: ValueError (json.JSONDecodeError) or
    # StopIteration, which one depends on the Python (``[1,]``: StopIteration on 3.9, a
    # ValueError on 3.13), so json_spans catches both.
    for text in ('{"a" 1}', '{"a":}', "[1,]", '"abc', '"\\x"', "[1 2]", '{"a":1,}', "-", "[",
                 "{", '{"a":1', "[1", "tru", "{1:2}"):  # fmt: skip
        with pytest.raises((ValueError, StopIteration)):
            scan(text, 0)
    # A raw control character in a string: refused when strict, kept when not.
    with pytest.raises(ValueError):
        scan('"a\x1bb"', 0)
    assert lenient('"a\x1bb",', 0) == ("a\x1bb", 5)
    # Bytes that are not UTF-8, decoded with surrogateescape, pass through in a string.
    text = b'["a\xe9b"]'.decode("utf-8", "surrogateescape")
    assert scan(text, 0) == (["a\udce9b"], len(text))
    assert lenient(text, 0) == (["a\udce9b"], len(text))
    # The member-name memo does not leak between calls: each call stands alone.
    assert [scan('{"a":1}', 0) for _ in range(3)] == [({"a": 1}, 7)] * 3


def test_scan_once_on_this_python():
    check_scan_once()


CHILD = """
import sys
sys.path[:0] = sys.argv[1:]
from tests.unit.test_json_spans_scanner import check_scan_once
check_scan_once()
print("scan_once as pinned on", sys.version.split()[0])
"""


@pytest.mark.parametrize("version", ["3.9", "3.13"])
def test_scan_once_on_splunks_pythons(version):
    python = bare_python(version)
    child = subprocess.run(
        [python, "-I", "-c", CHILD, str(ROOT / "lib"), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.startswith("scan_once as pinned on " + version), child.stdout
