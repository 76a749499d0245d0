"""Where and how splunkd runs an app's scripts: modular inputs and custom alert actions alike."""

import socket
import sys
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union


@dataclass(frozen=True)
class ScriptHost:
    """The settings both script runners share: SPLUNK_HOME, the app (folder and name), the
    splunkd URI and server name the scripts are told, the interpreter (with its options) and
    the extra environment (e.g. libfaketime) every child gets."""

    splunk_home: str
    app_dir: str
    app_name: str
    server_uri: str
    python: Tuple[str, ...] = (sys.executable,)
    extra_env: Mapping[str, str] = field(default_factory=dict)
    server_host: str = field(default_factory=socket.gethostname)

    @classmethod
    def of(
        cls,
        splunk_home: str,
        app_dir: str,
        app_name: str,
        server_uri: str,
        python: "Union[str, Sequence[str]]" = sys.executable,
        extra_env: "Optional[Dict[str, str]]" = None,
        server_host: Optional[str] = None,
    ) -> "ScriptHost":
        """From the runners' keyword arguments: python a path or a command line, no
        server_host the machine's name (splunkd's serverName default)."""
        return cls(
            str(splunk_home),
            str(app_dir),
            app_name,
            server_uri,
            (python,) if isinstance(python, str) else tuple(python),
            dict(extra_env or {}),
            server_host or socket.gethostname(),
        )

    def interpreter(self) -> List[str]:
        return list(self.python)
