"""Stand-in for splunk.persistconn.application (shipped inside Splunk only).

Same shape as Splunk's (S804 persistconn/application.py): ``__init__(self)`` takes no
arguments (line 8), so a subclass that passes splunkd's (command_line, command_arg) on to it
fails with TypeError as it would in Splunk. The driver (persist_child.py) makes a new instance
for every request and calls ``handle(in_bytes)`` with bytes.
"""


class PersistentServerConnectionApplication:
    def __init__(self):
        pass

    def handle(self, in_bytes):
        raise NotImplementedError("PersistentServerConnectionApplication.handle")

    def handleStream(self, handle, in_bytes):  # noqa: N802 - Splunk's name
        raise NotImplementedError("PersistentServerConnectionApplication.handleStream")

    def done(self):
        pass
