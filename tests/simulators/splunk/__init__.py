"""The Splunk stand-in: splunkd REST (HTTPS), Splunk Web (HTTP), the persistent REST host and
the HTTP Event Collector (HTTPS, its own port; ``hec.py``).

with SplunkEmulator(splunk_home=tmp_path / "splunk", apps={"TA-x": "/path/to/app"},
                    hec_enabled=True) as splunk:
    service = splunk.service("admin")
    token = splunk.create_hec_token("te-stream", index="main")   # or POST data/inputs/http
    url = splunk.hec_event_url                                  # .../services/collector/event
    events = splunk.indexed_events(sourcetype="cisco:thousandeyes:metric")
"""

import os
import shutil
import time
from typing import Any, Callable, Dict, Iterable, List, Optional

from ..loopback_tls import LoopbackTLS
from .auth import Authenticator
from .conffile import AppConf
from .hec import HecServer, HecTokens, HttpEventCollector
from .hec_endpoint import HecTokensEndpoint
from .kvstore import KVStore
from .passwords import PasswordStore
from .receivers import SimpleReceiver
from .rest_host import RestHost
from .splunkd import Splunkd, SplunkdServer

IGNORED_ON_COPY = shutil.ignore_patterns("__pycache__", "*.pyc", ".git", ".venv", "local")


class SplunkEmulator:
    def __init__(
        self,
        splunk_home: "os.PathLike | str",
        apps: "Optional[Dict[str, Any]]" = None,
        extra_env: "Optional[Dict[str, str]]" = None,
        dev_mode: bool = False,
        handler_python: "Optional[str]" = None,
        handler_idle_seconds: float = 60.0,
        session_lifetime: float = 3600.0,
        clock: "Callable[[], float]" = time.time,
        web_settings: "Optional[Dict[str, str]]" = None,
        hec_enabled: bool = False,
    ) -> None:
        """web_settings: etc/system/local/web.conf [settings], e.g. root_endpoint, httpport.
        hec_enabled: HEC's global [http] disabled = 0 (Splunk ships it off)."""
        self.home = str(splunk_home)
        self.apps_dir = os.path.join(self.home, "etc", "apps")
        self.logs_dir = os.path.join(self.home, "var", "log", "splunk")
        for folder in (self.apps_dir, self.logs_dir, os.path.join(self.home, "etc", "system")):
            os.makedirs(folder, exist_ok=True)
        if web_settings:
            AppConf(os.path.join(self.home, "etc", "system"), "web").update(
                "settings", web_settings
            )
        self.extra_env = dict(extra_env or {})
        self.dev_mode = dev_mode
        self._app_names = []  # type: List[str]
        for name, source in (apps or {}).items():
            self.install_app(name, str(source))
        self.auth = Authenticator(session_lifetime=session_lifetime, clock=clock)
        self.passwords = PasswordStore(
            os.path.join(self.home, "etc", "passwords-store.json"),
            os.path.join(self.home, "etc", "auth", "splunk.secret"),
        )
        self.kvstore = KVStore(os.path.join(self.home, "var", "kvstore"), self.installed_apps)
        self.rest_host = RestHost(
            os.path.join(self.logs_dir, "splunkd.log"),
            self.child_env(),
            handler_python,
            idle_seconds=handler_idle_seconds,
        )
        self.tls = LoopbackTLS(
            os.path.join(self.home, "etc", "auth", "standin-ca"), "Splunk stand-in CA", "cacert.pem"
        )
        self.ca_bundle_path = self.tls.ca_bundle_path
        receiver = SimpleReceiver(self.home, self.installed_apps, clock, log=self._log)
        self.hec_tokens = HecTokens(self.apps_dir, self.installed_apps)
        if hec_enabled:
            self.hec_tokens.set_global({"disabled": "0"})
        self.hec = HttpEventCollector(
            self.hec_tokens, receiver.store, clock, receiver.server_host,
            lambda: receiver.allowed_indexes,
        )  # fmt: skip
        self.splunkd = Splunkd(
            self.installed_apps,
            self.auth,
            self.passwords,
            self.kvstore,
            self.rest_host,
            os.path.join(self.home, "etc", "system"),
            receiver,
            HecTokensEndpoint(self.hec_tokens),
        )
        self._server = None  # type: Optional[SplunkdServer]
        self._hec_server = None  # type: Optional[HecServer]
        self._web = None  # type: Any

    # -- apps ---------------------------------------------------------------------------
    def install_app(self, name: str, source: str) -> str:
        """Copy (or, in dev mode, symlink) an app folder into etc/apps/<name>."""
        target = self.app_dir(name)
        if os.path.lexists(target):
            if os.path.islink(target):
                os.unlink(target)
            else:
                shutil.rmtree(target)
        if self.dev_mode:
            os.symlink(os.path.abspath(source), target)
        else:
            shutil.copytree(source, target, ignore=IGNORED_ON_COPY, symlinks=True)
        if name not in self._app_names:
            self._app_names.append(name)
        return target

    def app_dir(self, name: str) -> str:
        return os.path.join(self.apps_dir, name)

    def installed_apps(self) -> Dict[str, str]:
        return {name: self.app_dir(name) for name in self._app_names}

    def child_env(self) -> Dict[str, str]:
        """Environment for processes splunkd starts: minimal, plus extra_env (e.g. faketime)."""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "SPLUNK_HOME": self.home,
            "LANG": "C.UTF-8",
            "PYTHONIOENCODING": "utf-8",
        }
        env.update(self.extra_env)
        return env

    # -- lifecycle ----------------------------------------------------------------------
    def start(self) -> "SplunkEmulator":
        from .web import SplunkWeb

        self._server = SplunkdServer(self.splunkd, self.tls.server_context())
        self._server.start()
        self._hec_server = HecServer(self.hec, self.tls.server_context())
        self._hec_server.start()
        self._web = SplunkWeb(self)
        self._web.start()
        return self

    def stop(self) -> None:
        if self._web is not None:
            self._web.stop()
            self._web = None
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._hec_server is not None:
            self._hec_server.stop()
            self._hec_server = None
        self.rest_host.stop()

    def __enter__(self) -> "SplunkEmulator":
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    @property
    def splunkd_port(self) -> int:
        assert self._server is not None, "start() the emulator first"
        return self._server.port

    @property
    def splunkd_uri(self) -> str:
        return f"https://127.0.0.1:{self.splunkd_port}"

    @property
    def hec_port(self) -> int:
        assert self._hec_server is not None, "start() the emulator first"
        return self._hec_server.port

    @property
    def hec_url(self) -> str:
        """HEC's base URL (Splunk's default port is 8088; here an ephemeral one)."""
        return f"https://127.0.0.1:{self.hec_port}"

    @property
    def hec_event_url(self) -> str:
        """The URL a stream or any HEC client POSTs JSON events to."""
        return self.hec_url + "/services/collector/event"

    def set_hec_enabled(self, enabled: bool) -> None:
        """HEC's global switch ([http] disabled in splunk_httpinput's inputs.conf)."""
        self.hec_tokens.set_global({"disabled": "0" if enabled else "1"})

    def create_hec_token(self, name: str, app: "Optional[str]" = None, **settings: str) -> str:
        """Write [http://<name>] as data/inputs/http would; returns the token."""
        return self.hec_tokens.create(name, {k: str(v) for k, v in settings.items()}, app)

    def indexed_events(self, **filters: Any) -> "List[Dict[str, Any]]":
        """Events indexed by any input (HEC, receivers/simple, modular inputs): IndexStore
        filters index, sourcetype, source, host, earliest, latest, predicate."""
        return list(self.splunkd.receiver.store.search(**filters))

    @property
    def web_port(self) -> int:
        assert self._web is not None, "start() the emulator first"
        return self._web.port

    @property
    def web_url(self) -> str:
        """The origin the browser reaches Splunk Web at (root_endpoint not included)."""
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def web_root_url(self) -> str:
        """web_url plus Splunk Web's root path: where /<locale>/... pages live."""
        assert self._web is not None, "start() the emulator first"
        return self.web_url + self._web.root

    @property
    def web_cookie_port(self) -> int:
        """The port Splunk Web names its cookies after (web.conf httpport, else web_port)."""
        assert self._web is not None, "start() the emulator first"
        return self._web.cookie_port

    # -- users, sessions, switches ------------------------------------------------------
    def login(self, username: str, password: str) -> str:
        key = self.auth.login(username, password)
        if key is None:
            raise PermissionError(f"Login failed for {username}")
        return key

    def add_user(
        self,
        name: str,
        password: str,
        roles: "Iterable[str]" = ("user",),
        capabilities: "Optional[Iterable[str]]" = None,
    ) -> None:
        self.auth.add_user(name, password, roles, capabilities)

    def service(self, username: str = "admin", password: str = "changeme", app: str = "") -> Any:
        """A splunklib.client.Service logged in to this splunkd (TLS verified with our CA)."""
        import ssl

        from splunklib import client

        context = ssl.create_default_context(cafile=self.ca_bundle_path)
        return client.connect(
            host="127.0.0.1",
            port=self.splunkd_port,
            scheme="https",
            username=username,
            password=password,
            app=app or (self._app_names[0] if self._app_names else None),
            owner="nobody",
            verify=True,
            context=context,
            autologin=True,
        )

    def set_kvstore_enabled(self, enabled: bool) -> None:
        self.kvstore.enabled = enabled

    def set_handler_python(self, python: str) -> None:
        """Interpreter for persistent REST handlers (e.g. a 3.9 build); applies on next call."""
        self.rest_host.python = python

    def set_input_manager(self, manager: Any) -> None:
        self.splunkd.inputs.manager = manager

    def modular_inputs(self, app: str, python: "Any", **options: Any) -> Any:
        """splunkd's modular inputs for an installed app: a ModularInputRunner (introspection,
        scheduling, indexing) run by ``python`` as the admin, behind data/inputs/<scheme>.
        options: the runner's own (server_host, clock, allowed_indexes, extra_env, ...)."""
        from .inputs_manager import InputsManager
        from .modinput_runner import ModularInputRunner

        options.setdefault("extra_env", self.extra_env)
        runner = ModularInputRunner(
            splunk_home=self.home,
            app_dir=self.app_dir(app),
            app_name=app,
            server_uri=self.splunkd_uri,
            session_key_provider=lambda: self.login("admin", "changeme"),
            python=python,
            **options,
        )
        self.set_input_manager(InputsManager(self.app_dir(app), app, runner))
        return runner

    def web_login_cookies(self, username: str = "admin", password: str = "changeme") -> List[Dict]:
        """Cookies of a Splunk Web session, in Playwright's add_cookies() format."""
        assert self._web is not None, "start() the emulator first"
        return self._web.session_cookies(self.login(username, password))

    def _log(self, level: str, component: str, message: str) -> None:
        from .modinput_log import write_line

        write_line(self.home, level, component, message)

    def splunkd_log(self) -> str:
        path = os.path.join(self.logs_dir, "splunkd.log")
        if not os.path.exists(path):
            return ""
        with open(path, encoding="utf-8") as handle:
            return handle.read()


__all__ = ["SplunkEmulator"]
