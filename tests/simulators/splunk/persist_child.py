"""Runs inside the handler's Python (3.9+, stdlib only, started with -I -S): imports the
restmap.conf handler class from the app's bin/ and answers framed requests on stdin/stdout.

Framing (ours; Splunk's is internal): "<length>\\n" then <length> bytes of UTF-8 JSON, both
ways. The handler's own print() output goes to stderr (splunkd.log), never into the framing.
"""

import importlib
import json
import os
import sys
import traceback


def _read_frame(stream):
    header = stream.readline()
    if not header:
        return None
    return stream.read(int(header.strip())).decode("utf-8")


def _write_frame(stream, text):
    data = text.encode("utf-8")
    stream.write(f"{len(data)}\n".encode("ascii") + data)
    stream.flush()


def main():
    config = json.loads(sys.argv[1])
    sys.path[:0] = config["path_before"]
    sys.path.extend(config["path_after"])
    protocol_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    protocol_in = os.fdopen(os.dup(sys.stdin.fileno()), "rb")
    sys.stdout = sys.stderr
    module_name, _, class_name = config["handler"].rpartition(".")
    handler_class = getattr(importlib.import_module(module_name), class_name)
    handler = handler_class(config["command_line"], config["command_arg"])
    while True:
        request = _read_frame(protocol_in)
        if request is None:
            return
        try:
            result = handler.handle(request)
            reply = {"ok": True, "result": result}
            text = json.dumps(reply)
        except Exception:
            traceback.print_exc()
            sys.stderr.flush()
            text = json.dumps({"ok": False})
        _write_frame(protocol_out, text)


if __name__ == "__main__":
    main()
