"""An in-memory stand-in for the few splunklib Service parts the library uses: conf files
(``service.confs``), ``storage_passwords``, a KV store collection and ``post``. Enough for the
real connection, region, settings and credential-store code to run under the handlers.
"""


class _Entity:
    def __init__(self, name, content, on_delete=None):
        self.name = name
        self.content = content
        self._on_delete = on_delete

    def submit(self, values):
        self.content.update({key: str(value) for key, value in values.items()})

    def update(self, **values):
        if "password" in values:
            self.content["clear_password"] = values["password"]
        return self

    def delete(self):
        self._on_delete(self)


class _Conf:
    def __init__(self):
        self.stanzas = {}

    def list(self):
        return [_Entity(name, dict(values)) for name, values in self.stanzas.items()]

    def __getitem__(self, name):
        if name not in self.stanzas:
            raise KeyError(name)
        return _Entity(name, self.stanzas[name])

    def create(self, name):
        self.stanzas.setdefault(name, {})
        return _Entity(name, self.stanzas[name])

    def delete(self, name):
        if name not in self.stanzas:
            raise KeyError(name)
        del self.stanzas[name]


class _Confs(dict):
    def __getitem__(self, name):
        if name not in self:
            raise KeyError(name)
        return dict.__getitem__(self, name)

    def create(self, name):
        self.setdefault(name, _Conf())
        return self[name]


class _Passwords:
    def __init__(self):
        self.entries = {}  # (realm, username) -> password

    def list(self, count=-1):
        return [
            _Entity(
                f"{realm}:{username}:",
                {"realm": realm, "username": username, "clear_password": password},
                self._delete,
            )
            for (realm, username), password in self.entries.items()
        ]

    def _delete(self, entity):
        self.entries.pop((entity.content["realm"], entity.content["username"]), None)

    def create(self, password, username, realm):
        key = (realm, username)
        if key in self.entries:
            raise RuntimeError("409 already exists")
        self.entries[key] = password
        service = self

        class _Created(_Entity):
            def update(self, **values):
                service.entries[key] = values["password"]

        return _Created(username, {}, self._delete)


class _Collection:
    def __init__(self, documents):
        self.data = self
        self._documents = documents

    def query(self, **kwargs):
        return [dict(document) for document in self._documents]


class _KVStore:
    def __init__(self):
        self.collections = {}

    def __getitem__(self, name):
        if name not in self.collections:
            raise KeyError(name)
        return _Collection(self.collections[name])


REGIONS = {
    "global": "Default",
    "us1": "US1",
    "us2": "US2",
    "eu": "EU",
}


class FakeService:
    def __init__(self, with_regions=True):
        self.confs = _Confs()
        self.storage_passwords = _Passwords()
        self.kvstore = _KVStore()
        self.posts = []
        if with_regions:
            regions = self.confs.create("ta_thousandeyes_regions")
            for key, label in REGIONS.items():
                base = f"https://{key}.te.example"
                regions.stanzas[key] = {
                    "label": label,
                    "api_base_url": base + "/v7",
                    "token_url": base + "/v7/oauth2/token",
                    "device_authorization_url": base + "/v7/oauth2/device/authorization",
                    "authorize_url": base + "/oauth2/authorize",
                }

    def post(self, path, **kwargs):
        self.posts.append((path, kwargs))

    def conf(self, name):
        """The stanzas dict of a conf file, created when missing (tests write into it)."""
        return self.confs.create(name).stanzas
