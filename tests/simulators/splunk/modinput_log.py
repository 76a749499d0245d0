"""splunkd.log as splunkd writes it for modular inputs (what `index=_internal` shows).

Each stderr line of a modular input becomes `<date> <level>  ExecProcessor
[<pid> ExecProcessorSchedulerThread] - message from "<command>" <line>`.
splunkd takes the level from the line's first word when it is a log level (as splunklib's
EventWriter.log writes them) and logs any other stderr line as ERROR.
"""

import os
import re
import threading
import time
from typing import Dict, List, Optional

LEVELS = ("DEBUG", "INFO", "WARN", "WARNING", "ERROR", "FATAL", "CRITICAL")
_LINE = re.compile(
    r"^(?P<date>\S+ \S+ [+-]\d{4}) (?P<level>[A-Z]+)\s+(?P<component>\S+) "
    r"\[(?P<thread>[^\]]*)\] - (?P<message>.*)$"
)
_write_lock = threading.Lock()


def splunkd_log_path(splunk_home: str) -> str:
    return os.path.join(splunk_home, "var", "log", "splunk", "splunkd.log")


def level_of(line: str) -> str:
    first = line.split(" ", 1)[0].rstrip(":").upper()
    if first == "WARNING":
        return "WARN"
    if first == "CRITICAL":
        return "FATAL"
    return first if first in LEVELS else "ERROR"


def write_line(splunk_home: str, level: str, component: str, message: str) -> None:
    """Append one splunkd.log line (one write call, so concurrent writers stay whole)."""
    now = time.time()
    stamp = time.strftime("%m-%d-%Y %H:%M:%S", time.localtime(now))
    stamp += ".{:03d} {}".format(int(now * 1000) % 1000, time.strftime("%z", time.localtime(now)))
    text = "{} {:<5} {} [{} ExecProcessorSchedulerThread] - {}\n".format(
        stamp, level, component, os.getpid(), message.replace("\n", " ")
    )
    path = splunkd_log_path(splunk_home)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with _write_lock, open(path, "a", encoding="utf-8") as handle:
        handle.write(text)


def log_stderr_line(splunk_home: str, command: str, line: str) -> None:
    write_line(splunk_home, level_of(line), "ExecProcessor", f'message from "{command}" {line}')


def read_entries(splunk_home: str, component: Optional[str] = None) -> "List[Dict[str, str]]":
    """Parsed splunkd.log lines: date, level, component, thread, message."""
    path = splunkd_log_path(splunk_home)
    if not os.path.exists(path):
        return []
    entries = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            match = _LINE.match(line.rstrip("\n"))
            if match and (component is None or match.group("component") == component):
                entries.append(match.groupdict())
    return entries
