"""The stand-ins in-process for unit tests: the Splunk stand-in's splunkd (threads, a free
port on 127.0.0.1, its own TLS CA) with the add-on's default confs (KV store collections,
regions, settings, connections) as its one app.

One stand-in serves a whole test module (a start and stop costs about 0.4 s); each test gets
it back as new (``clean``): KV store on and empty, no app local/ confs, no stored passwords.
``stored`` and ``edit_passwords`` look at and damage what splunkd holds, the way an admin
(or a disk) could, for the tests of what the add-on makes of it.
"""

import contextlib
import json
import os
import shutil
from collections.abc import Mapping

from ta_thousandeyes import splunk_service

from tests.simulators.splunk import SplunkEmulator
from tests.simulators.splunk.conffile import parse
from tests.simulators.splunk.passwords import entity_name

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
APP = "TA-thousandeyes"
DEFAULT_CONFS = (
    "collections", "ta_thousandeyes_regions", "ta_thousandeyes_settings",
    "ta_thousandeyes_connections",
)  # fmt: skip


class InProcessSplunk:
    """A started SplunkEmulator with the add-on's collections.conf as its one app."""

    def __init__(self, home):
        app = os.path.join(str(home), "app-source")
        os.makedirs(os.path.join(app, "default"))
        for name in DEFAULT_CONFS:
            shutil.copy(os.path.join(ROOT, "default", name + ".conf"), app + "/default/")
        self.emulator = SplunkEmulator(splunk_home=os.path.join(str(home), "splunk"))
        self.app_dir = self.emulator.install_app(APP, app)
        self.emulator.start()
        self.service_file = os.path.join(str(home), "service.json")

    def service(self):
        """A splunklib Service in the app's namespace, as the add-on opens it."""
        emulator = self.emulator
        return splunk_service.connect(
            emulator.splunkd_uri,
            emulator.login("admin", "changeme"),
            ca_bundle=emulator.ca_bundle_path,
        )

    def clean(self):
        """KV store on and every collection empty (through the REST API a client has), no
        app local/ confs and no stored passwords (splunkd reads both from disk per request)."""
        self.emulator.set_kvstore_enabled(True)
        service = self.service()
        for collection in service.kvstore.list():
            collection.data.delete()
        shutil.rmtree(os.path.join(self.app_dir, "local"), ignore_errors=True)
        with self.emulator.passwords._lock:
            self.emulator.passwords._save([])

    def write_service_file(self):
        """What another process needs to open a Service (see ``service_from_file``)."""
        emulator = self.emulator
        details = {
            "uri": emulator.splunkd_uri,
            "session_key": emulator.login("admin", "changeme"),
            "ca_bundle": emulator.ca_bundle_path,
        }
        with open(self.service_file, "w", encoding="utf-8") as handle:
            json.dump(details, handle)
        return self.service_file

    def stored(self):
        """{"passwords": entity name -> realm, username, clear password; "confs": conf ->
        stanza -> the settings of the app's local/ file}: what splunkd holds on disk."""
        passwords = {}
        for record in self.emulator.passwords.records(APP):
            passwords[entity_name(record["realm"], record["username"])] = {
                "realm": record["realm"],
                "username": record["username"],
                "password": self.emulator.passwords.cipher.decrypt(record["encrypted"]),
            }
        confs = {}
        local = os.path.join(self.app_dir, "local")
        for name in sorted(os.listdir(local)) if os.path.isdir(local) else ():
            if name.endswith(".conf"):
                with open(os.path.join(local, name), encoding="utf-8") as handle:
                    confs[name[:-5]] = {k: dict(v) for k, v in parse(handle.read()).items()}
        return {"passwords": passwords, "confs": confs}

    @contextlib.contextmanager
    def edit_passwords(self):
        """Yields stored()["passwords"]; what the block leaves there is written back."""
        store = self.emulator.passwords
        with store._lock:
            passwords = self.stored()["passwords"]
            yield passwords
            store._save(
                [
                    {"app": APP, "realm": r["realm"], "username": r["username"],
                     "owner": "nobody", "encrypted": store.cipher.encrypt(r["password"])}
                    for r in passwords.values()
                ]
            )  # fmt: skip

    def stop(self):
        self.emulator.stop()


def service_from_file(path):
    """A Service of the stand-in another process started (``write_service_file``)."""
    with open(path, encoding="utf-8") as handle:
        details = json.load(handle)
    return splunk_service.connect(
        details["uri"], details["session_key"], ca_bundle=details["ca_bundle"]
    )


class CollectionDocs(Mapping):
    """_key -> document of one KV store collection, read afresh through the REST API at every
    look, so a test can hold it while the code under test writes."""

    def __init__(self, service, name):
        self.service, self.name = service, name

    def _documents(self):
        return {d["_key"]: d for d in self.service.kvstore[self.name].data.query()}

    def __getitem__(self, key):
        return self._documents()[key]

    def __iter__(self):
        return iter(self._documents())

    def __len__(self):
        return len(self._documents())
