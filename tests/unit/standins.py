"""The stand-ins in-process for unit tests: the Splunk stand-in's splunkd (threads, a free
port on 127.0.0.1, its own TLS CA) with only the add-on's KV store collections installed.

One stand-in serves a whole test module (a start and stop costs about 0.4 s); each test gets
it back with the KV store on and every collection empty (``clean``).
"""

import os
import shutil
from collections.abc import Mapping

from ta_thousandeyes import splunk_service

from tests.simulators.splunk import SplunkEmulator

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
APP = "TA-thousandeyes"


class InProcessSplunk:
    """A started SplunkEmulator with the add-on's collections.conf as its one app."""

    def __init__(self, home):
        app = os.path.join(str(home), "app-source")
        os.makedirs(os.path.join(app, "default"))
        shutil.copy(os.path.join(ROOT, "default", "collections.conf"), app + "/default/")
        self.emulator = SplunkEmulator(splunk_home=os.path.join(str(home), "splunk"))
        self.emulator.install_app(APP, app)
        self.emulator.start()

    def service(self):
        """A splunklib Service in the app's namespace, as the add-on opens it."""
        emulator = self.emulator
        return splunk_service.connect(
            emulator.splunkd_uri,
            emulator.login("admin", "changeme"),
            ca_bundle=emulator.ca_bundle_path,
        )

    def clean(self):
        """KV store on and every collection empty, through the REST API a client has."""
        self.emulator.set_kvstore_enabled(True)
        service = self.service()
        for collection in service.kvstore.list():
            collection.data.delete()

    def stop(self):
        self.emulator.stop()


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
