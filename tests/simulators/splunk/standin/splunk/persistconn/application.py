"""Stand-in for splunk.persistconn.application (shipped inside Splunk only).

splunkd instantiates the handler class once per persistent process with
(command_line, command_arg) and calls handle(in_string) for every request; handle returns a
dict {"status", "payload", "headers"} or a string.
"""


class PersistentServerConnectionApplication:
    def __init__(self, command_line=None, command_arg=None):
        pass

    def handle(self, in_string):
        raise NotImplementedError("handle() must be implemented by the REST handler")

    def handleStream(self, handle, in_string):  # noqa: N802 - Splunk's name
        raise NotImplementedError("streaming is not supported")

    def done(self):
        pass
