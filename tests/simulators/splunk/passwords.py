"""storage/passwords: secrets kept encrypted in <splunk_home>/etc/passwords-store.json.

Like splunkd, the value is encrypted with a key derived from etc/auth/splunk.secret, the
entity name is `realm:username:` with ':' inside realm/username escaped as `\\:`, listing
needs `list_storage_passwords` and writing `edit_storage_passwords` (or admin_all_objects).
Each secret is also an object of category `passwords` of its app's metadata (acl.py): a user
sees only the secrets they may read and changes only those they may write; adding one needs
write on the app ("list_* also needs Read ACL and edit_* needs Write ACL", Splunk Cloud
"Manage credentials used by apps and data inputs"; SPEC94 default.meta.spec:8-37).
"""

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
from typing import Any, Dict, List, Optional

from . import acl, atom, listing
from .request import SplunkdRequest

LIST_CAPABILITY = "list_storage_passwords"
EDIT_CAPABILITY = "edit_storage_passwords"


def escape_part(value: str) -> str:
    # splunkd escapes backslashes too (splunk-sdk-python's test_create_with_backslashes).
    return value.replace("\\", "\\\\").replace(":", "\\:")


def entity_name(realm: str, username: str) -> str:
    return f"{escape_part(realm)}:{escape_part(username)}:"


class SecretCipher:
    """HMAC-SHA256 keystream cipher with a MAC (pure Python, good enough for a stand-in)."""

    def __init__(self, secret_path: str) -> None:
        if not os.path.exists(secret_path):
            os.makedirs(os.path.dirname(secret_path), exist_ok=True)
            with open(secret_path, "w", encoding="ascii") as handle:
                handle.write(secrets.token_urlsafe(190)[:254])
            os.chmod(secret_path, 0o400)
        with open(secret_path, "rb") as handle:
            self._key = hashlib.sha256(handle.read().strip()).digest()

    def _stream(self, nonce: bytes, length: int) -> bytes:
        out = b""
        counter = 0
        while len(out) < length:
            out += hmac.new(self._key, nonce + counter.to_bytes(8, "big"), "sha256").digest()
            counter += 1
        return out[:length]

    def encrypt(self, plain: str) -> str:
        nonce = secrets.token_bytes(16)
        data = plain.encode("utf-8")
        cipher = bytes(a ^ b for a, b in zip(data, self._stream(nonce, len(data))))
        tag = hmac.new(self._key, nonce + cipher, "sha256").digest()[:16]
        return "$7$" + base64.b64encode(nonce + tag + cipher).decode("ascii")

    def decrypt(self, token: str) -> str:
        raw = base64.b64decode(token[3:])
        nonce, tag, cipher = raw[:16], raw[16:32], raw[32:]
        expected = hmac.new(self._key, nonce + cipher, "sha256").digest()[:16]
        if not hmac.compare_digest(tag, expected):
            raise ValueError("secret store tampered with or splunk.secret changed")
        return bytes(a ^ b for a, b in zip(cipher, self._stream(nonce, len(cipher)))).decode()


class PasswordStore:
    """Records {app, realm, username, encrypted, owner}; one JSON file, written atomically."""

    def __init__(self, store_path: str, secret_path: str) -> None:
        self.path = store_path
        self.cipher = SecretCipher(secret_path)
        self._lock = threading.RLock()

    def _load(self) -> List[Dict[str, str]]:
        if not os.path.exists(self.path):
            return []
        with open(self.path, encoding="utf-8") as handle:
            return json.load(handle)

    def _save(self, records: List[Dict[str, str]]) -> None:
        temporary = self.path + ".tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(records, handle, indent=1)
        os.chmod(temporary, 0o600)
        os.replace(temporary, self.path)

    def records(self, app: "Optional[str]") -> List[Dict[str, str]]:
        with self._lock:
            return [r for r in self._load() if app in (None, "-", r["app"])]

    def find(self, app: "Optional[str]", name: str) -> "Optional[Dict[str, str]]":
        if not name.endswith(":"):
            name += ":"  # splunkd finds `realm:user` with or without the trailing colon
        for record in self.records(app):
            if entity_name(record["realm"], record["username"]) == name:
                return record
        return None

    def create(
        self, app: str, realm: str, username: str, password: str, owner: str = "nobody"
    ) -> bool:
        with self._lock:
            records = self._load()
            name = entity_name(realm, username)
            if any(
                r["app"] == app and entity_name(r["realm"], r["username"]) == name for r in records
            ):
                return False
            records.append(
                {
                    "app": app,
                    "realm": realm,
                    "username": username,
                    "owner": owner,
                    "encrypted": self.cipher.encrypt(password),
                }
            )
            self._save(records)
            return True

    def update(self, record: Dict[str, str], password: str) -> None:
        with self._lock:
            records = self._load()
            for candidate in records:
                if candidate["app"] == record["app"] and _same(candidate, record):
                    candidate["encrypted"] = self.cipher.encrypt(password)
            self._save(records)

    def delete(self, record: Dict[str, str]) -> None:
        with self._lock:
            records = [
                r for r in self._load() if not (r["app"] == record["app"] and _same(r, record))
            ]
            self._save(records)


def _same(left: Dict[str, str], right: Dict[str, str]) -> bool:
    return left["realm"] == right["realm"] and left["username"] == right["username"]


class PasswordsEndpoint:
    def __init__(self, store: PasswordStore, app_dirs: "Optional[Any]" = None) -> None:
        self.store = store
        self.app_dirs = app_dirs or dict

    def _acl(self, record: Dict[str, str]) -> "acl.ObjectAcl":
        app = record["app"]
        app_dir = self.app_dirs().get(app, "")
        name = "credential:" + entity_name(record["realm"], record["username"])
        owner = record.get("owner") or "nobody"
        private = owner if owner != "nobody" else None  # made in servicesNS/<owner>/<app>
        return acl.AppMetadata(app, app_dir).object_acl("passwords", name, private_to=private)

    def _readable(self, request: SplunkdRequest) -> List[Dict[str, str]]:
        records = self.store.records(request.ns_app)
        return [r for r in records if self._acl(r).can_read(request.user)]

    def _entry(self, request: SplunkdRequest, record: Dict[str, str]) -> atom.Entry:
        content = {
            "clear_password": self.store.cipher.decrypt(record["encrypted"]),
            "encr_password": record["encrypted"],
            "password": "********",
            "realm": record["realm"],
            "username": record["username"],
        }
        return atom.Entry(
            entity_name(record["realm"], record["username"]),
            "/servicesNS/{}/{}/storage/passwords".format(record["owner"], record["app"]),
            content,
            self._acl(record).as_dict(request.user, removable=True),
            author=record["owner"],
        )

    def handle(self, request: SplunkdRequest, name: "Optional[str]", action: str = "") -> atom.Body:
        user = request.user
        assert user is not None
        mode = request.output_mode
        writing = request.method in ("POST", "DELETE")
        needed = EDIT_CAPABILITY if writing else LIST_CAPABILITY
        # edit_storage_passwords allows GET too (SPEC94 authorize.conf.spec:696-697).
        allowed = user.has(needed) or (not writing and user.has(EDIT_CAPABILITY))
        if not (allowed or (writing and user.has("admin_all_objects"))):
            return atom.messages(mode, 403, _forbidden(user.name, needed))
        app = request.ns_app or "system"
        collection = request.namespace_path + "/storage/passwords"
        if name is None:
            if request.method == "GET":
                entries = [self._entry(request, r) for r in self._readable(request)]
                return listing.feed(request, "passwords", collection, entries)
            if request.method == "POST":
                app_dir = self.app_dirs().get(app, "")
                if not acl.AppMetadata(app, app_dir).can_create(user):
                    return acl.forbidden(mode, user, f"add secrets to {app}")
                return self._create(request, app, collection)
            return atom.messages(mode, 405, "Method Not Allowed")
        record = self.store.find(request.ns_app, name)
        if record is None or not self._acl(record).can_read(user):
            return atom.messages(mode, 404, f"Could not find object id={name}")
        if action:
            return self._acl_call(request, record, action, collection)
        if writing and not self._acl(record).can_write(user):
            return acl.forbidden(mode, user, f"change {name}")
        if request.method == "GET":
            entry = self._entry(request, record)
            return atom.feed(mode, request.base_url, "passwords", collection, [entry])
        if request.method == "DELETE":
            self.store.delete(record)
            remaining = [self._entry(request, r) for r in self._readable(request)]
            return listing.feed(request, "passwords", collection, remaining)
        password = request.form_value("password")
        if password is None:
            return atom.messages(mode, 400, "Missing argument: password")
        self.store.update(record, password)
        refreshed = self.store.find(request.ns_app, name)
        entry = self._entry(request, refreshed or record)
        return atom.feed(mode, request.base_url, "passwords", collection, [entry])

    def _acl_call(
        self, request: SplunkdRequest, record: Dict[str, str], action: str, collection: str
    ) -> atom.Body:
        """GET/POST storage/passwords/<name>/acl."""
        mode = request.output_mode
        if action != "acl":
            return atom.messages(mode, 404, "Not Found")
        rule = self._acl(record)
        if request.method == "POST":
            if not rule.can_write(request.user) or record["app"] not in self.app_dirs():
                return acl.forbidden(mode, request.user, "change the permissions of this secret")
            error, form = acl.acl_request(request)
            if error is not None:
                return error
            name = "credential:" + entity_name(record["realm"], record["username"])
            meta = acl.AppMetadata(record["app"], self.app_dirs()[record["app"]])
            meta.set_acl("passwords", name, form)
        elif request.method != "GET":
            return atom.messages(mode, 405, "Method Not Allowed")
        entry = self._entry(request, record)
        return atom.feed(mode, request.base_url, "passwords", collection, [entry])

    def _create(self, request: SplunkdRequest, app: str, collection: str) -> atom.Body:
        mode = request.output_mode
        username = request.form_value("name")
        password = request.form_value("password")
        realm = request.form_value("realm") or ""
        if not username:
            return atom.messages(mode, 400, "Missing argument: name")
        if password is None:
            return atom.messages(mode, 400, "Missing argument: password")
        owner = request.ns_user if request.ns_user not in (None, "", "-") else "nobody"
        if not self.store.create(app, realm, username, password, owner):
            text = f"An object with name={entity_name(realm, username)} already exists"
            return atom.messages(mode, 409, text)
        record = self.store.find(app, entity_name(realm, username))
        assert record is not None
        entry = self._entry(request, record)
        return atom.feed(mode, request.base_url, "passwords", collection, [entry], status=201)


def _forbidden(username: str, capability: str) -> str:
    return (
        f"You (user={username}) do not have permission to perform this operation "
        f"(requires capability: {capability})."
    )


forbidden_message = _forbidden
