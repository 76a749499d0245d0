"""Plain HTML for the approval pages: no scripts, no external assets, every value escaped."""

from __future__ import annotations

from html import escape
from typing import Iterable, Optional, Tuple

STYLE = (
    "body{font-family:sans-serif;max-width:32em;margin:3em auto;color:#222}"
    "h1{font-size:1.4em}.error{color:#b00020}label{display:block;margin:.6em 0}"
    "input,select{font-size:1em;padding:.3em}button{font-size:1em;margin:.4em .4em 0 0}"
    "dt{font-weight:bold}"
)


def page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)} - ThousandEyes</title><style>{STYLE}</style></head>"
        f"<body><p><strong>ThousandEyes</strong> (simulator)</p><h1>{escape(title)}</h1>"
        f"{body}</body></html>"
    )


def error_line(message: Optional[str]) -> str:
    return f"<p class='error' role='alert'>{escape(message)}</p>" if message else ""


def hidden(name: str, value: str) -> str:
    return f"<input type='hidden' name='{escape(name)}' value='{escape(value)}'>"


def code_entry(csrf: str, user_code: str, error: Optional[str]) -> str:
    return page(
        "Connect a device",
        error_line(error)
        + "<p>Enter the code shown by the application you want to connect.</p>"
        + "<form method='post' action='/oauth2/device'>"
        + hidden("csrf_token", csrf)
        + "<label>Code <input name='user_code' id='user_code' autocomplete='off' "
        + f"value='{escape(user_code)}' required></label>"
        + "<button type='submit' id='continue'>Continue</button></form>",
    )


def login(csrf: str, error: Optional[str], email: str = "") -> str:
    return page(
        "Log in",
        error_line(error)
        + "<form method='post' action='/oauth2/login'>"
        + hidden("csrf_token", csrf)
        + f"<label>Email <input type='email' name='email' id='email' value='{escape(email)}' "
        + "required></label>"
        + "<label>Password <input type='password' name='password' id='password' required></label>"
        + "<button type='submit' id='login'>Log in</button></form>"
        + "<form method='post' action='/oauth2/sso'>"
        + hidden("csrf_token", csrf)
        + "<button type='submit' id='sso'>Sign in with SSO</button></form>",
    )


def region_choice(csrf: str, regions: Iterable[Tuple[str, str]], selected: str) -> str:
    options = "".join(
        f"<option value='{escape(key)}'{' selected' if key == selected else ''}>"
        f"{escape(label)}</option>"
        for key, label in regions
    )
    return page(
        "Choose your region",
        "<form method='post' action='/oauth2/region'>"
        + hidden("csrf_token", csrf)
        + f"<label>Region <select name='region' id='region'>{options}</select></label>"
        + "<button type='submit' id='continue'>Continue</button></form>",
    )


def confirm(csrf: str, email: str, region_label: str, client_name: str, scopes: list) -> str:
    items = "".join(f"<li>{escape(text)}</li>" for text in scopes)
    return page(
        "Confirm authorization",
        f"<p><strong>{escape(client_name)}</strong> is asking to access ThousandEyes.</p>"
        + "<dl>"
        + f"<dt>Email</dt><dd id='email'>{escape(email)}</dd>"
        + f"<dt>Region</dt><dd id='region'>{escape(region_label)}</dd>"
        + "</dl><p>ThousandEyes will share:</p>"
        + f"<ul id='summary'>{items}</ul>"
        + "<form method='post' action='/oauth2/confirm'>"
        + hidden("csrf_token", csrf)
        + "<button type='submit' name='action' value='confirm' id='confirm'>Confirm</button>"
        + "<button type='submit' name='action' value='logout' id='logout'>Logout</button>"
        + "</form>",
    )


def message(title: str, text: str, status_id: str) -> str:
    return page(title, f"<p id='{escape(status_id)}'>{escape(text)}</p>")
