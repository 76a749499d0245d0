"""Users, roles, capabilities and session keys, as splunkd's authentication layer has them.

Session keys are opaque, expire after `session_lifetime` seconds of the emulator's clock and
are sent back as `Authorization: Splunk <key>` (or the `splunkd_<port>` cookie splunkd sets
when a login asks for `cookie=1`).
"""

import re
import secrets
import threading
import time
from typing import Callable, Iterable, Optional, Set

# The capabilities Splunk's built-in roles grant that matter to an add-on (authorize.conf).
USER_ROLE_CAPABILITIES = {
    "change_own_password",
    "get_metadata",
    "get_typeahead",
    "list_inputs",
    "rest_apps_view",
    "rest_properties_get",
    "search",
}
ADMIN_ROLE_CAPABILITIES = USER_ROLE_CAPABILITIES | {
    "admin_all_objects",
    "edit_modinput_*",
    "edit_storage_passwords",
    "edit_tcp",
    "edit_token_http",
    "list_settings",
    "list_storage_passwords",
    "rest_apps_management",
    "rest_properties_set",
}
ROLE_CAPABILITIES = {
    "user": USER_ROLE_CAPABILITIES,
    "power": USER_ROLE_CAPABILITIES | {"schedule_search"},
    "admin": ADMIN_ROLE_CAPABILITIES,
    "sc_admin": ADMIN_ROLE_CAPABILITIES,
}

SYSTEM_USER = "splunk-system-user"


class User:
    def __init__(self, name: str, password: str, roles: "Iterable[str]", extra: "Iterable[str]"):
        self.name = name
        self.password = password
        self.roles = list(roles)
        self.capabilities = set(extra)  # type: Set[str]
        for role in self.roles:
            self.capabilities |= ROLE_CAPABILITIES.get(role, set())

    def has(self, capability: str) -> bool:
        return capability in self.capabilities


class Session:
    def __init__(self, key: str, user: User, expires_at: float) -> None:
        self.key = key
        self.user = user
        self.expires_at = expires_at


class Authenticator:
    """The user database and the live sessions."""

    def __init__(
        self, session_lifetime: float = 3600.0, clock: "Callable[[], float]" = time.time
    ) -> None:
        self.session_lifetime = session_lifetime
        self.clock = clock
        self._users = {}  # type: Dict[str, User]
        self._sessions = {}  # type: Dict[str, Session]
        self._lock = threading.Lock()
        self.add_user("admin", "changeme", ["admin"])
        self.add_user("user", "changeme", ["user"])
        self.add_user(SYSTEM_USER, secrets.token_urlsafe(24), ["admin"])

    def add_user(
        self,
        name: str,
        password: str,
        roles: "Iterable[str]",
        capabilities: "Optional[Iterable[str]]" = None,
    ) -> User:
        user = User(name, password, roles, capabilities or ())
        with self._lock:
            self._users[name] = user
        return user

    def user(self, name: str) -> "Optional[User]":
        return self._users.get(name)

    def login(self, username: str, password: str) -> "Optional[str]":
        user = self._users.get(username)
        if user is None or not secrets.compare_digest(user.password, password):
            return None
        return self.new_session(user)

    def new_session(self, user: User) -> str:
        key = secrets.token_urlsafe(48)
        with self._lock:
            self._sessions[key] = Session(key, user, self.clock() + self.session_lifetime)
        return key

    def system_session(self) -> str:
        return self.new_session(self._users[SYSTEM_USER])

    def resolve(self, key: "Optional[str]") -> "Optional[User]":
        if not key:
            return None
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                return None
            if self.clock() >= session.expires_at:
                del self._sessions[key]
                return None
            # splunkd extends a session on use (sessionTimeout is an idle timeout).
            session.expires_at = self.clock() + self.session_lifetime
            return session.user

    def logout(self, key: str) -> None:
        with self._lock:
            self._sessions.pop(key, None)

    def expire_all(self) -> None:
        with self._lock:
            self._sessions.clear()


_TOKEN = re.compile(r"\s*(\(|\)|[A-Za-z0-9_*.:-]+)")


def capability_expression_allows(expression: str, capabilities: "Set[str]") -> bool:
    """Evaluate a restmap.conf capability expression (`a`, `a OR b`, `(a or b) and not c`).

    Malformed expressions deny, as splunkd refuses requests it cannot authorise.
    """
    tokens = []  # type: List[str]
    position = 0
    text = expression.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match:
            return False
        tokens.append(match.group(1))
        position = match.end()
        while position < len(text) and text[position].isspace():
            position += 1
    if not tokens:
        return True

    def has(name: str) -> bool:
        return name in capabilities

    def parse_or(index: int):
        value, index = parse_and(index)
        while index < len(tokens) and tokens[index].lower() == "or":
            right, index = parse_and(index + 1)
            value = value or right
        return value, index

    def parse_and(index: int):
        value, index = parse_not(index)
        while index < len(tokens) and tokens[index].lower() == "and":
            right, index = parse_not(index + 1)
            value = value and right
        return value, index

    def parse_not(index: int):
        if index < len(tokens) and tokens[index].lower() == "not":
            value, index = parse_not(index + 1)
            return (not value), index
        return parse_atom(index)

    def parse_atom(index: int):
        if index >= len(tokens):
            raise ValueError("unexpected end")
        token = tokens[index]
        if token == "(":
            value, index = parse_or(index + 1)
            if index >= len(tokens) or tokens[index] != ")":
                raise ValueError("unbalanced parenthesis")
            return value, index + 1
        if token == ")" or token.lower() in ("and", "or", "not"):
            raise ValueError("unexpected " + token)
        return has(token), index + 1

    try:
        value, index = parse_or(0)
    except ValueError:
        return False
    return value if index == len(tokens) else False
