"""The persistent-handler driver the stand-in splunkd starts (Splunk's is persistconn/appserver.py).

Runs inside the handler's Python (3.9+, stdlib only, started with -I -S) and does what Splunk's
driver does (S804 = vncloudsco/splunk, lib/python3.7/site-packages/splunk/persistconn/):

- Packets arrive on stdin in Splunk's framing (packet.py 72-134): an opcode byte (1 start,
  2 block, 4 end), for a start the command (a count line, then each element as "<len>\\n<bytes>")
  and the command argument ("<len>\\n<bytes>", empty means None), for a block "<len>\\n<bytes>".
  Every answer is "<len>\\n<bytes>" on stdout (packet.py 145-174), so a handler that prints to
  stdout corrupts the stream, as in Splunk.
- A start loads command[0], the stanza's `script`; restmap.conf `handler` is never read. The file
  is imported once per process under a munged name (appserver.py 39-72, 74-88); the handler is
  the one class in the module's namespace, imported ones included, with a class named
  PersistentServerConnectionApplication in its MRO (appserver.py 90-110).
- Every request gets a new instance: cls.__new__(cls), then __init__(command[1:], command_arg)
  (appserver.py 26-27). handle() gets the block as bytes (packet.py 101, 188).
- The start answer is "" on success or the error text; a load exception is re-raised after its
  text is sent, and an exception in handle() or an unserialisable reply is not caught: either
  ends this process (handle_loop.py 31-67). A script that is not found answers "Can't load
  script" and the process lives on (handle_loop.py 37-50, appserver.py 52-54).
- The script's directory is not put on sys.path (appserver.py 52 searches only that directory
  for the file itself).
"""

import importlib.machinery
import importlib.util
import inspect
import json
import os
import sys

OPCODE_START = 0x01
OPCODE_BLOCK = 0x02
OPCODE_END = 0x04
BASE_NAME = "PersistentServerConnectionApplication"


class ProtocolError(Exception):
    pass


def _read_line(stream):
    line = b""
    while True:
        char = stream.read(1)
        if not char:
            if not line:
                raise EOFError
            return line
        if char == b"\n":
            return line
        line += char


def _read_number(stream):
    line = _read_line(stream)
    while line == b"":  # blank lines before a count are skipped
        line = _read_line(stream)
    try:
        number = int(line)
    except ValueError:
        raise ProtocolError(f'expected non-negative integer, got "{line!r}"') from None
    if number < 0:
        raise ProtocolError(f'expected non-negative integer, got "{number}"')
    return number


def _read_string(stream):
    return stream.read(_read_number(stream))


def read_packet(stream):
    """(opcode, command, command_arg, block), or None at end of input."""
    while True:
        opbyte = stream.read(1)
        if opbyte == b"":
            return None
        if opbyte != b"\n":  # newlines before an opcode are skipped
            break
    opcode = ord(opbyte)
    command = command_arg = block = None
    if opcode & OPCODE_START:
        command = [_read_string(stream).decode() for _ in range(_read_number(stream))]
        command_arg = _read_string(stream).decode() or None
    if opcode & OPCODE_BLOCK:
        block = _read_string(stream)
    return opcode, command, command_arg, block


def write_answer(data):
    """dict as compact JSON, str as UTF-8, bytes as they are; anything else is a TypeError."""
    if isinstance(data, bytes):
        encoded = data
    elif isinstance(data, str):
        encoded = data.encode("utf-8")
    elif isinstance(data, dict):
        encoded = json.dumps(data, separators=(",", ":")).encode("utf-8")
    else:
        raise TypeError(f"Don't know how to serialize {type(data).__name__}")
    sys.stdout.buffer.write(f"{len(encoded)}\n".encode("ascii") + encoded)


def _munged_name(name, directory):
    def clean(text):
        return "".join(ch if ch.isalnum() else "_" for ch in text)

    return f"pschand__{clean(name)}__in_{clean(directory)}"


def _is_handler(candidate):
    if not inspect.isclass(candidate) or candidate.__name__ == BASE_NAME:
        return False
    # By name, as Splunk does; mro() is called as Splunk calls it (a metaclass in the
    # namespace makes that raise there too).
    return any(klass.__name__ == BASE_NAME for klass in candidate.mro())


def find_handler(module):
    classes = inspect.getmembers(module, _is_handler)
    if not classes:
        raise NotImplementedError(f"No class implements {BASE_NAME}")
    if len(classes) > 1:
        raise NotImplementedError(f"More than one class implements {BASE_NAME}")
    return classes[0][1]


class Driver:
    def __init__(self):
        self._cache = {}  # script path -> handler class, for the life of the process
        self._current = None  # (instance, handle, done) while a request is open

    def _load_file(self, filename):
        directory, base = os.path.split(filename)
        name = os.path.splitext(base)[0]
        spec = importlib.machinery.PathFinder.find_spec(name, [directory])
        if spec is None or spec.origin is None:
            return None
        munged = _munged_name(name, directory)
        spec = importlib.util.spec_from_file_location(munged, spec.origin)
        module = importlib.util.module_from_spec(spec)
        sys.modules[munged] = module
        spec.loader.exec_module(module)
        return find_handler(module)

    def load(self, command, command_arg):
        if not command:
            raise ProtocolError("No script name to start")
        filename = command[0]
        if filename not in self._cache:
            handler_class = self._load_file(filename)
            if handler_class is None:
                return None
            self._cache[filename] = handler_class
        handler_class = self._cache[filename]
        instance = handler_class.__new__(handler_class)
        instance.__init__(command[1:], command_arg)
        return instance, handler_class.handle, handler_class.done

    def handle_packet(self, opcode, command, command_arg, block):
        if opcode & OPCODE_START:
            try:
                if self._current is not None:
                    raise ProtocolError("Got start while already active")
                self._current = self.load(command, command_arg)
                if self._current is None:
                    write_answer(f'Can\'t load script "{command[0]}"')
            except BaseException as error:
                write_answer(str(error))
                sys.stdout.flush()
                raise
            if self._current is None:  # not found: swallow this request's packets
                self._current = (None, lambda _self, _block: None, lambda _self: None)
            else:
                write_answer("")  # an empty error text means the handler is ready
        if opcode & OPCODE_BLOCK:
            if self._current is None:
                raise ProtocolError("Got block while inactive")
            instance, handle, _ = self._current
            reply = handle(instance, block)
            write_answer("" if reply is None else reply)
        if opcode & OPCODE_END:
            instance, _, done = self._current
            done(instance)
            self._current = None

    def run(self):
        while True:
            packet = read_packet(sys.stdin.buffer)
            if packet is None:
                return
            self.handle_packet(*packet)
            sys.stdout.flush()


def main():
    config = json.loads(sys.argv[1])
    sys.path.extend(config["path_after"])  # where Splunk's own `splunk` package lives
    Driver().run()


if __name__ == "__main__":
    main()
