"""Drives the approval pages over real HTTP the way a browser submits the forms."""

from __future__ import annotations

import re
from html import unescape
from typing import Optional, Union
from urllib.parse import urljoin

import requests

CSRF_PATTERN = re.compile(r"name='csrf_token' value='([^']*)'")


class ApprovalError(AssertionError):
    """A page did not answer as the flow expects."""


def _csrf(page: requests.Response) -> str:
    match = CSRF_PATTERN.search(page.text)
    if not match:
        raise ApprovalError(f"no form on {page.url} (HTTP {page.status_code}): {page.text[:300]}")
    return unescape(match.group(1))


def _post(
    session: requests.Session, page: requests.Response, path: str, data: dict
) -> requests.Response:
    data = dict(data, csrf_token=_csrf(page))
    return session.post(urljoin(page.url, path), data=data, timeout=30)


def _login(
    session: requests.Session, page: requests.Response, email: str, password: str, sso: bool
) -> requests.Response:
    if "/oauth2/login" not in page.url:
        return page  # already signed in
    if sso:
        return _post(session, page, "/oauth2/sso", {})
    answer = _post(session, page, "/oauth2/login", {"email": email, "password": password})
    if answer.status_code != 200 or "/oauth2/region" not in answer.url:
        raise ApprovalError(f"login failed for {email}: HTTP {answer.status_code}")
    return answer


def _region_and_confirm(
    session: requests.Session, page: requests.Response, region: Optional[str]
) -> requests.Response:
    if region is not None:
        page = _post(session, page, "/oauth2/region", {"region": region})
    else:
        page = _post(session, page, "/oauth2/region", {"region": _selected_region(page)})
    if "/oauth2/confirm" not in page.url:
        raise ApprovalError(f"expected the confirmation page, got {page.url}")
    return page


def _selected_region(page: requests.Response) -> str:
    match = re.search(r"<option value='([^']*)' selected>", page.text)
    return unescape(match.group(1)) if match else "global"


def approve_device(
    base_url: str,
    user_code: str,
    email: str,
    password: str,
    confirm: bool = True,
    region: Optional[str] = None,
    sso: bool = False,
    verify: Union[bool, str] = True,
) -> str:
    """Enter the code, log in, choose the region, Confirm (or Logout). Returns the final page."""
    with requests.Session() as session:
        session.verify = verify
        page = session.get(f"{base_url}/oauth2/device", params={"user_code": user_code}, timeout=30)
        page = _post(session, page, "/oauth2/device", {"user_code": user_code})
        if page.status_code != 200:
            raise ApprovalError(f"user code rejected: HTTP {page.status_code}")
        page = _login(session, page, email, password, sso)
        page = _region_and_confirm(session, page, region)
        action = "confirm" if confirm else "logout"
        done = _post(session, page, "/oauth2/confirm", {"action": action})
        if done.status_code != 200:
            raise ApprovalError(f"confirmation failed: HTTP {done.status_code}")
        return done.text


def authorize_code(
    authorize_url: str,
    email: str,
    password: str,
    confirm: bool = True,
    region: Optional[str] = None,
    verify: Union[bool, str] = True,
) -> str:
    """Walk /oauth2/authorize?...; returns the Location the browser is sent to at the end."""
    with requests.Session() as session:
        session.verify = verify
        page = session.get(authorize_url, timeout=30, allow_redirects=False)
        if page.status_code in (302, 303) and not page.headers["Location"].startswith("/"):
            return page.headers["Location"]  # an error sent straight back to the client
        if page.status_code not in (302, 303):
            raise ApprovalError(f"authorize answered HTTP {page.status_code}: {page.text[:200]}")
        page = session.get(urljoin(authorize_url, page.headers["Location"]), timeout=30)
        page = _login(session, page, email, password, sso=False)
        page = _region_and_confirm(session, page, region)
        data = {"action": "confirm" if confirm else "logout", "csrf_token": _csrf(page)}
        done = session.post(
            urljoin(page.url, "/oauth2/confirm"), data=data, timeout=30, allow_redirects=False
        )
        if done.status_code not in (302, 303):
            raise ApprovalError(f"confirmation did not redirect: HTTP {done.status_code}")
        return done.headers["Location"]
