"""One parsed splunkd request, shared by every endpoint module."""

from typing import List, Optional, Tuple
from urllib.parse import parse_qsl

Pairs = List[Tuple[str, str]]


class SplunkdRequest:
    """Method, namespace, the path below /services or /servicesNS/<user>/<app>, arguments."""

    def __init__(
        self,
        method: str,
        raw_path: str,
        query: Pairs,
        headers: Pairs,
        body: bytes,
        client_ip: str,
        listening_port: int,
        base_url: str,
    ) -> None:
        self.method = method.upper()
        self.raw_path = raw_path
        self.query = query
        self.headers = headers
        self.body = body
        self.client_ip = client_ip
        self.listening_port = listening_port
        self.base_url = base_url
        self.ns_user = None  # type: Optional[str]
        self.ns_app = None  # type: Optional[str]
        self.rest_path = ""  # below /services/ or /servicesNS/<user>/<app>/, no leading slash
        self.user = None  # type: Optional[User]
        self.session_key = None  # type: Optional[str]
        content_type = (self.header("content-type") or "").lower()
        self.form = []  # type: Pairs
        if body and (not content_type or "x-www-form-urlencoded" in content_type):
            self.form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        explicit = self.query_value("output_mode") or self.form_value("output_mode")
        self.output_mode_explicit = explicit is not None
        self.output_mode = explicit or "xml"

    def header(self, name: str) -> "Optional[str]":
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None

    def cookies(self) -> Pairs:
        pairs = []  # type: Pairs
        for key, value in self.headers:
            if key.lower() != "cookie":
                continue
            for part in value.split(";"):
                if "=" in part:
                    name, _, cookie_value = part.strip().partition("=")
                    pairs.append((name, cookie_value))
        return pairs

    def query_value(self, name: str) -> "Optional[str]":
        for key, value in self.query:
            if key == name:
                return value
        return None

    def form_value(self, name: str) -> "Optional[str]":
        for key, value in self.form:
            if key == name:
                return value
        return None

    def arg(self, name: str) -> "Optional[str]":
        """A form argument, or a query argument (splunkd accepts both)."""
        value = self.form_value(name)
        return value if value is not None else self.query_value(name)

    def settings(self, exclude: "Tuple[str, ...]" = ()) -> "dict":
        """Form arguments that are entity settings (not splunkd's control arguments)."""
        control = {"output_mode", "name", "count", "offset", "search", "sort_key", "sort_dir"}
        result = {}
        for key, value in self.form:
            if key in control or key in exclude or key.startswith("eai:"):
                continue
            result[key] = value
        return result

    @property
    def namespace_path(self) -> str:
        if self.ns_user is None:
            return "/services"
        return f"/servicesNS/{self.ns_user}/{self.ns_app}"
