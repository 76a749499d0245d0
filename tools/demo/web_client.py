"""What the setup page's script does in the browser: log in to Splunk Web, then call the add-on's
REST endpoints through Splunk Web's splunkd proxy with the CSRF form key on every POST/DELETE.
"""

from typing import Any, Dict, Optional

import requests

from .console import DemoFailure

LOCALE = "en-US"


class SplunkWebClient:
    def __init__(self, web_url: str, web_port: int, app: str) -> None:
        self.web_url = web_url.rstrip("/")
        self.web_port = web_port
        self.app = app
        self.session = requests.Session()
        self.session.trust_env = False  # loopback only: no proxy from the environment

    def login(self, username: str, password: str) -> None:
        response = self.session.post(
            f"{self.web_url}/{LOCALE}/account/login",
            data={"username": username, "password": password, "return_to": f"/{LOCALE}/"},
            allow_redirects=False,
            timeout=30,
        )
        if response.status_code not in (200, 303) or not self._csrf():
            raise DemoFailure(
                f"Splunk Web login as {username} failed (HTTP {response.status_code})"
            )

    def _csrf(self) -> Optional[str]:
        return self.session.cookies.get(f"splunkweb_csrf_token_{self.web_port}")

    def url(self, endpoint: str) -> str:
        raw = f"{self.web_url}/{LOCALE}/splunkd/__raw/servicesNS/nobody/{self.app}"
        return f"{raw}/ta_thousandeyes/{endpoint}"

    def call(
        self, method: str, endpoint: str, data: Optional[Dict[str, str]] = None
    ) -> Dict[str, Any]:
        """One REST call; returns the JSON body, raises DemoFailure on an error status."""
        headers = {"Accept": "application/json"}
        body = None
        if method != "GET":  # as setup.js: form body, CSRF form key, XMLHttpRequest marker
            body = dict(data or {}, output_mode="json")
            headers["X-Splunk-Form-Key"] = self._csrf() or ""
            headers["X-Requested-With"] = "XMLHttpRequest"
        response = self.session.request(
            method,
            self.url(endpoint),
            params={"output_mode": "json"},
            data=body,
            headers=headers,
            timeout=120,
        )
        try:
            answer = response.json()
        except ValueError:
            answer = {"error": response.text[:300]}
        if not isinstance(answer, dict):
            answer = {"body": answer}
        if response.status_code >= 400:
            message = answer.get("error")
            if not message and answer.get("messages"):
                message = answer["messages"][0].get("text")
            raise DemoFailure(
                f"{method} {endpoint} answered HTTP {response.status_code}: {message or answer}"
            )
        return answer

    def get(self, endpoint: str) -> Dict[str, Any]:
        return self.call("GET", endpoint)

    def post(self, endpoint: str, data: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
        return self.call("POST", endpoint, data or {})

    def delete(self, endpoint: str) -> Dict[str, Any]:
        return self.call("DELETE", endpoint)
