"""storage/collections/config and storage/collections/data/<collection>.

Collections come from the app's collections.conf (default/ + local/); documents persist as one
JSON file per collection under <splunk_home>/var/kvstore/<app>/. `enabled = False` answers
503 on every KV store endpoint, as a forwarder or a search head whose KV store is down does.
A collection is object `collections/<name>` of its app's metadata (acl.py): reading it or its
data needs read ACL, changing them write ACL, adding or removing collections write on the app.
"""

import json
import os
import secrets
import threading
from typing import Any, Dict, List, Optional

from . import acl, atom, kvlimits, kvquery, listing
from .conffile import AppConf
from .request import SplunkdRequest


def _new_key() -> str:
    return secrets.token_hex(12)


class KVStore:
    def __init__(self, data_dir: str, app_dirs: "Any") -> None:
        self.data_dir = data_dir
        self.app_dirs = app_dirs
        self.enabled = True
        self._lock = threading.RLock()

    # -- collections --------------------------------------------------------------------
    def _conf(self, app: str) -> "Optional[AppConf]":
        apps = self.app_dirs()
        return AppConf(apps[app], "collections") if app in apps else None

    def collections(self, app: str) -> "Dict[str, Dict[str, str]]":
        conf = self._conf(app)
        if conf is None:
            return {}
        return {k: v for k, v in conf.stanzas().items() if k != "default"}

    def _path(self, app: str, collection: str) -> str:
        return os.path.join(self.data_dir, app, collection + ".json")

    def load(self, app: str, collection: str) -> List[Dict[str, Any]]:
        path = self._path(app, collection)
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)

    def save(self, app: str, collection: str, documents: List[Dict[str, Any]]) -> None:
        path = self._path(app, collection)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".tmp", "w", encoding="utf-8") as handle:
            json.dump(documents, handle)
        os.replace(path + ".tmp", path)

    # -- HTTP ---------------------------------------------------------------------------
    def handle(self, request: SplunkdRequest, parts: List[str]) -> atom.Body:
        """parts: ["config", name?] or ["data", collection, key?]."""
        mode = request.output_mode if parts[0] == "config" else "json"
        if not self.enabled:
            return atom.messages(mode, 503, "KV Store is disabled.")
        user = request.user
        assert user is not None
        app = request.ns_app
        if not app or app in ("-", "system") or self._conf(app) is None:
            return atom.messages(mode, 404, f"Could not find app namespace {app}")
        refusal = self._refuse(request, app, parts)
        if refusal is not None:
            return refusal
        with self._lock:
            if parts[0] == "config" and len(parts) > 2:
                if parts[2:] != ["acl"] or parts[1] not in self.collections(app):
                    return atom.messages(mode, 404, "Not Found")
                return self._acl_call(request, app, parts[1])
            if parts[0] == "config":
                return self._config(request, app, parts[1] if len(parts) > 1 else None)
            if len(parts) < 2:
                return atom.messages(mode, 404, "Not Found")
            collection = parts[1]
            if collection not in self.collections(app):
                text = f"Collection: {collection} not found"
                return atom.messages(mode, 404, text)
            return self._data(request, app, collection, parts[2] if len(parts) > 2 else None)

    def _acl(self, app: str, collection: str) -> "acl.ObjectAcl":
        """A collection is object collections/<name> of its app's metadata (acl.py)."""
        return acl.AppMetadata(app, self.app_dirs()[app]).object_acl("collections", collection)

    def _refuse(self, request: SplunkdRequest, app: str, parts: List[str]) -> "Optional[atom.Body]":
        """Read ACL to see a collection or its data, write ACL to change them, write on the app
        to add or remove collections (SPEC94 default.meta.spec:8-28)."""
        user = request.user
        mode = request.output_mode if parts[0] == "config" else "json"
        name = parts[1] if len(parts) > 1 else None
        reading = request.method in ("GET", "HEAD") or parts[2:] == ["batch_find"]
        if name is None or (parts[0] == "config" and request.method == "DELETE"):
            if reading or acl.AppMetadata(app, self.app_dirs()[app]).can_create(user):
                return None
            return acl.forbidden(mode, user, f"change the collections of {app}")
        rule = self._acl(app, name)
        if not rule.can_read(user):
            return atom.messages(mode, 404, f"Collection: {name} not found")
        if not reading and not rule.can_write(user):
            return acl.forbidden(mode, user, f"change collection {name}")
        return None

    def _acl_call(self, request: SplunkdRequest, app: str, name: str) -> atom.Body:
        """GET/POST storage/collections/config/<name>/acl."""
        mode = request.output_mode
        if request.method == "POST":
            error, form = acl.acl_request(request)
            if error is not None:
                return error
            acl.AppMetadata(app, self.app_dirs()[app]).set_acl("collections", name, form)
        elif request.method != "GET":
            return atom.messages(mode, 405, "Method Not Allowed")
        entry = self._config_entry(request.user, app, name, self.collections(app)[name])
        path = request.namespace_path + "/storage/collections/config"
        return atom.feed(mode, request.base_url, "collections-conf", path, [entry])

    def _config_entry(self, user: Any, app: str, name: str, settings: Dict[str, str]) -> atom.Entry:
        content = dict(settings)
        content.setdefault("disabled", False)
        path = f"/servicesNS/nobody/{app}/storage/collections/config"
        return atom.Entry(name, path, content, self._acl(app, name).as_dict(user))

    def _config(self, request: SplunkdRequest, app: str, name: "Optional[str]") -> atom.Body:
        mode = request.output_mode
        collections = self.collections(app)
        path = request.namespace_path + "/storage/collections/config"
        conf = self._conf(app)
        assert conf is not None
        if name is None:
            if request.method == "POST":
                new = request.form_value("name")
                if not new:
                    return atom.messages(mode, 400, "Missing argument: name")
                if new in collections:
                    text = f"An object with name={new} already exists"
                    return atom.messages(mode, 409, text)
                conf.update(new, request.settings())
                entry = self._config_entry(request.user, app, new, self.collections(app)[new])
                return atom.feed(mode, request.base_url, "collections-conf", path, [entry], 201)
            readable = {
                n: s for n, s in collections.items() if self._acl(app, n).can_read(request.user)
            }
            entries = [self._config_entry(request.user, app, n, s) for n, s in readable.items()]
            return listing.feed(request, "collections-conf", path, entries)
        if name not in collections:
            return atom.messages(mode, 404, f"Could not find object id={name}")
        if request.method == "DELETE":
            if not conf.delete(name):
                return atom.messages(mode, 400, f"Collection {name} is defined in default/")
            if os.path.exists(self._path(app, name)):
                os.remove(self._path(app, name))
            return atom.empty_ok(mode)
        if request.method == "POST":
            conf.update(name, request.settings())
        entry = self._config_entry(request.user, app, name, self.collections(app)[name])
        return atom.feed(mode, request.base_url, "collections-conf", path, [entry])

    def _data(
        self, request: SplunkdRequest, app: str, collection: str, key: "Optional[str]"
    ) -> atom.Body:
        owner = request.ns_user if request.ns_user not in (None, "-") else "nobody"
        documents = self.load(app, collection)
        try:
            body = json.loads(request.body.decode("utf-8")) if request.body else None
        except ValueError:
            return atom.messages("json", 400, "Invalid JSON in request body")
        settings = self.collections(app)[collection]
        if key == "batch_save" and request.method == "POST":
            if not isinstance(body, list):
                return atom.messages("json", 400, "batch_save expects a JSON array")
            refusal = kvlimits.batch_refusal(request.body, len(body))
            if refusal:
                return atom.messages("json", 400, refusal)
            try:  # the stand-in refuses the whole batch before writing any of it
                body = kvlimits.typed_all(body, settings)
            except kvlimits.Refused as error:
                return atom.messages("json", 400, str(error))
            keys = [self._upsert(documents, item, owner) for item in body]
            self.save(app, collection, documents)
            return atom.json_body(200, keys)
        if key == "batch_find" and request.method == "POST":
            results = [self._find(documents, q) for q in (body or [])]
            return atom.json_body(200, results)
        if key is None:
            if request.method == "GET":
                try:
                    query = json.loads(request.query_value("query") or "{}")
                except ValueError:
                    return atom.messages("json", 400, "Invalid query")
                return atom.json_body(200, self._find(documents, self._query_args(request, query)))
            if request.method == "POST":
                if not isinstance(body, dict):
                    return atom.messages("json", 400, "Expected a JSON object")
                if body.get("_key") == "":
                    del body["_key"]
                if "_key" in body and any(d["_key"] == body["_key"] for d in documents):
                    return atom.messages("json", 409, "A document with the same key exists")
                try:
                    body = kvlimits.typed(body, settings)
                except kvlimits.Refused as error:
                    return atom.messages("json", 400, str(error))
                new_key = self._upsert(documents, body, owner)
                self.save(app, collection, documents)
                return atom.json_body(201, {"_key": new_key})
            if request.method == "DELETE":
                try:
                    query = json.loads(request.query_value("query") or "{}")
                except ValueError:
                    return atom.messages("json", 400, "Invalid query")
                kept = [d for d in documents if not kvquery.matches(d, query)]
                self.save(app, collection, kept)
                return atom.Body(200, b"", "application/json; charset=UTF-8")
            return atom.messages("json", 405, "Method Not Allowed")
        found = [d for d in documents if d.get("_key") == key]
        if request.method == "GET":
            if not found:
                return atom.messages("json", 404, "Could not find object.")
            return atom.json_body(200, found[0])
        if request.method == "DELETE":
            if not found:
                return atom.messages("json", 404, "Could not find object.")
            self.save(app, collection, [d for d in documents if d.get("_key") != key])
            return atom.Body(200, b"", "application/json; charset=UTF-8")
        if request.method == "POST":
            if not isinstance(body, dict):
                return atom.messages("json", 400, "Expected a JSON object")
            body["_key"] = key
            try:
                body = kvlimits.typed(body, settings)
            except kvlimits.Refused as error:
                return atom.messages("json", 400, str(error))
            self._upsert(documents, body, owner)
            self.save(app, collection, documents)
            return atom.json_body(200, {"_key": key})
        return atom.messages("json", 405, "Method Not Allowed")

    @staticmethod
    def _query_args(request: SplunkdRequest, query: Dict[str, Any]) -> Dict[str, Any]:
        return {
            "query": query,
            "sort": request.query_value("sort"),
            "limit": request.query_value("limit"),
            "skip": request.query_value("skip"),
            "fields": request.query_value("fields"),
        }

    @staticmethod
    def _find(documents: List[Dict[str, Any]], spec: Dict[str, Any]) -> List[Dict[str, Any]]:
        if "query" not in spec or not isinstance(spec.get("query"), (dict, type(None))):
            spec = {"query": spec.get("query", spec)}
        selected = [d for d in documents if kvquery.matches(d, spec.get("query"))]
        selected = kvquery.sort_documents(selected, spec.get("sort"))
        skip = int(spec.get("skip") or 0)
        limit = int(spec.get("limit") or 0)
        if limit <= 0 or limit > kvlimits.MAX_ROWS_PER_QUERY:
            limit = kvlimits.MAX_ROWS_PER_QUERY  # limits.conf: larger results are cut
        selected = selected[skip : skip + limit]
        return [kvquery.project(d, spec.get("fields")) for d in selected]

    @staticmethod
    def _upsert(documents: List[Dict[str, Any]], document: Dict[str, Any], owner: str) -> str:
        stored = dict(document)
        stored["_key"] = str(stored.get("_key") or _new_key())
        stored["_user"] = owner
        for index, existing in enumerate(documents):
            if existing.get("_key") == stored["_key"]:
                documents[index] = stored
                return stored["_key"]
        documents.append(stored)
        return stored["_key"]
