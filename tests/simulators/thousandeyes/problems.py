"""Error bodies: RFC 7807 problems for the API, {error, error_description} for OAuth and 401."""

from __future__ import annotations

from typing import Optional

from .http_types import Response, json_response

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    412: "Precondition Failed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def problem(status: int, detail: str, instance: Optional[str] = None, **headers: str) -> Response:
    body = {"type": "about:blank", "title": _TITLES.get(status, "Error"), "status": status}
    body["detail"] = detail
    if instance:
        body["instance"] = instance
    return json_response(status, body, "application/problem+json", **headers)


def oauth_error(error: str, description: str, status: int = 400) -> Response:
    """RFC 6749 §5.2 error (also RFC 8628 poll errors); never cached."""
    response = json_response(
        status, {"error": error, "error_description": description}, Cache_Control="no-store"
    )
    response.headers["Pragma"] = "no-cache"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="oauth"'
    return response


def unauthorized(error: str, description: str) -> Response:
    """401 from the resource server (RFC 6750): body {error, error_description}."""
    response = json_response(401, {"error": error, "error_description": description})
    response.headers["WWW-Authenticate"] = (
        f'Bearer realm="thousandeyes", error="{error}", error_description="{description}"'
    )
    return response
