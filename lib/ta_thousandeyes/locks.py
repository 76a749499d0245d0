"""A per-connection lock shared by every process of this Splunk instance.

``fcntl.flock`` on a file under ``$SPLUNK_HOME/var/run/splunk/TA-thousandeyes/locks`` (a temp
directory when SPLUNK_HOME is not set): the one run directory of the setup page's handlers
and of every input, so a log out excludes an input's refresh. The kernel releases the lock
when its holder dies, so a killed process never leaves the connection locked. Windows (out of
scope) gets an in-process lock so importing this module never fails there.
"""

import os
import re
import tempfile
import threading
import time
from typing import Callable, Optional

from . import APP_NAME

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

DEFAULT_TIMEOUT = 240.0  # longer than a refresh asked twice (lost answer), with HTTP timeouts
_POLL_SECONDS = 0.02
_thread_locks = {}  # type: Dict[str, threading.Lock]
_thread_locks_guard = threading.Lock()


class LockTimeout(RuntimeError):
    """The lock was not obtained in time."""


def run_directory() -> "Optional[str]":
    """Where every process of this instance shares locks and rate-limit state (None outside
    Splunk): splunkd's own run directory for modular inputs, var/run/splunk."""
    splunk_home = os.environ.get("SPLUNK_HOME")
    if splunk_home and os.path.isdir(splunk_home):
        return os.path.join(splunk_home, "var", "run", "splunk", APP_NAME)
    return None


def lock_directory() -> str:
    directory = run_directory()
    if directory:
        return os.path.join(directory, "locks")
    return os.path.join(tempfile.gettempdir(), APP_NAME + "-locks")


def _file_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name) + ".lock"


def _thread_lock(path: str) -> threading.Lock:
    with _thread_locks_guard:
        return _thread_locks.setdefault(path, threading.Lock())


class ConnectionLock:
    """``with ConnectionLock("prod"):`` — exclusive across processes and threads."""

    def __init__(
        self,
        name: str,
        directory: Optional[str] = None,
        timeout: float = DEFAULT_TIMEOUT,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = os.path.join(directory or lock_directory(), _file_name(name))
        self._timeout = timeout
        self._monotonic = monotonic
        self._handle = None  # type: Optional[int]
        self._thread_lock = _thread_lock(self.path)  # flock does not exclude our own threads

    def acquire(self) -> None:
        deadline = self._monotonic() + self._timeout
        if not self._thread_lock.acquire(timeout=max(self._timeout, 0)):
            raise LockTimeout(f"Timed out waiting for lock {self.path}")
        if fcntl is None:
            return
        try:
            os.makedirs(os.path.dirname(self.path), mode=0o700, exist_ok=True)
            handle = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if self._monotonic() >= deadline:
                        os.close(handle)
                        raise LockTimeout(f"Timed out waiting for lock {self.path}")
                    time.sleep(_POLL_SECONDS)
            self._handle = handle
        except BaseException:
            self._thread_lock.release()
            raise

    def release(self) -> None:
        if self._handle is not None:
            try:
                fcntl.flock(self._handle, fcntl.LOCK_UN)
            finally:
                os.close(self._handle)
                self._handle = None
        self._thread_lock.release()

    def __enter__(self) -> "ConnectionLock":
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
