"""A splunklib-shaped stand-in for the parts of Service our code uses: confs and passwords.

State lives in one JSON file guarded by flock, so several processes can share it (the
multi-process token tests). Only the surface used by ta_thousandeyes is modelled:
``service.confs[name]`` (KeyError when missing), ``.create``, stanza ``list``/``[]``/
``create``/``delete``, ``stanza.submit``; ``storage_passwords.list/create``, entity
``update(password=)``/``delete()``, contents with ``realm``, ``username``, ``clear_password``.
"""

import contextlib
import fcntl
import json
import os


class _State:
    def __init__(self, path):
        self.path = path
        if not os.path.exists(path):
            with open(path, "w") as handle:
                json.dump({"confs": {}, "passwords": {}}, handle)

    @contextlib.contextmanager
    def edit(self):
        with open(self.path + ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            with open(self.path) as handle:
                data = json.load(handle)
            yield data
            tmp = self.path + ".tmp"
            with open(tmp, "w") as handle:
                json.dump(data, handle)
            os.replace(tmp, self.path)

    def read(self):
        with self.edit() as data:
            return data


class _Stanza:
    def __init__(self, state, conf, name, content):
        self._state, self._conf, self.name = state, conf, name
        self.content = dict(content, **{"eai:acl": {"app": "TA-thousandeyes"}, "disabled": "0"})

    def submit(self, values):
        with self._state.edit() as data:
            data["confs"][self._conf][self.name].update({k: str(v) for k, v in values.items()})
        return self


class _ConfFile:
    def __init__(self, state, name):
        self._state, self.name = state, name

    def list(self, count=None, **kwargs):
        data = self._state.read()
        return [_Stanza(self._state, self.name, n, c) for n, c in data["confs"][self.name].items()]

    def __getitem__(self, stanza):
        data = self._state.read()
        if stanza not in data["confs"][self.name]:
            raise KeyError(stanza)
        return _Stanza(self._state, self.name, stanza, data["confs"][self.name][stanza])

    def create(self, stanza, **params):
        with self._state.edit() as data:
            data["confs"][self.name].setdefault(stanza, {}).update(params)
        return self[stanza]

    def delete(self, stanza):
        with self._state.edit() as data:
            if stanza not in data["confs"][self.name]:
                raise KeyError(stanza)
            del data["confs"][self.name][stanza]


class _Confs:
    def __init__(self, state):
        self._state = state

    def __getitem__(self, name):
        if name not in self._state.read()["confs"]:
            raise KeyError(name)
        return _ConfFile(self._state, name)

    def create(self, name):
        with self._state.edit() as data:
            data["confs"].setdefault(name, {})
        return _ConfFile(self._state, name)


class _Password:
    def __init__(self, state, entity_name, record):
        self._state, self.name = state, entity_name
        self.content = {
            "realm": record["realm"],
            "username": record["username"],
            "clear_password": record["password"],
            "password": "********",
        }

    def update(self, **kwargs):
        with self._state.edit() as data:
            if self.name not in data["passwords"]:
                raise KeyError(self.name)
            data["passwords"][self.name]["password"] = kwargs["password"]
        return self

    def delete(self):
        with self._state.edit() as data:
            if self.name not in data["passwords"]:
                raise KeyError(self.name)
            del data["passwords"][self.name]


class _Passwords:
    def __init__(self, state):
        self._state = state
        self.calls = 0

    def list(self, count=None, **kwargs):
        self.calls += 1
        data = self._state.read()
        return [_Password(self._state, n, r) for n, r in data["passwords"].items()]

    def create(self, password, username, realm=None):
        name = "{}:{}:".format(realm or "", username.replace(":", "\\:"))
        with self._state.edit() as data:
            if name in data["passwords"]:
                raise ValueError("409 already exists: " + name)
            data["passwords"][name] = {"realm": realm, "username": username, "password": password}
        return _Password(self._state, name, data["passwords"][name])


class FakeService:
    def __init__(self, path):
        self.state = _State(path)
        self.confs = _Confs(self.state)
        self.storage_passwords = _Passwords(self.state)

    def load_conf_file(self, conf_name, text):
        """Install a default/ conf file (parsed the way splunkd would)."""
        from tests.simulators.splunk.conffile import parse

        with self.state.edit() as data:
            stanzas = data["confs"].setdefault(conf_name, {})
            for stanza, values in parse(text).items():
                stanzas.setdefault(stanza, {}).update(values)

    def raw(self):
        return self.state.read()
