"""Response bodies the way splunkd writes them: Atom XML feeds by default, JSON with
output_mode=json, and <response><messages> for errors.

splunklib.client parses the Atom form (data.load): `s:dict`/`s:key`/`s:list`/`s:item` for
content, `link rel="alternate"` for an entity's path, `eai:acl` for its namespace.
"""

import datetime
import json
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

SPLUNK_VERSION = "9.4.2"
SPLUNK_BUILD = "e9664af3d956"

ATOM_HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<?xml-stylesheet type="text/xml" href="/static/atom.xsl"?>\n'
)
NAMESPACES = (
    'xmlns="http://www.w3.org/2005/Atom" xmlns:s="http://dev.splunk.com/ns/rest" '
    'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"'
)


class Body:
    """A rendered response: status, content type and bytes."""

    def __init__(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: "Optional[List[Tuple[str, str]]]" = None,
    ) -> None:
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = list(headers or [])


def now_iso() -> str:
    return datetime.datetime.now(datetime.timezone.utc).astimezone().isoformat(timespec="seconds")


def acl(
    app: str, owner: str = "nobody", sharing: str = "app", can_write: bool = True
) -> Dict[str, Any]:
    return {
        "app": app,
        "can_change_perms": True,
        "can_list": True,
        "can_share_app": True,
        "can_share_global": True,
        "can_share_user": False,
        "can_write": can_write,
        "modifiable": True,
        "owner": owner,
        "perms": {"read": ["*"], "write": ["admin", "sc_admin"]},
        "removable": False,
        "sharing": sharing,
    }


class Entry:
    """One Atom entry: name, path of the collection it lives in, content and ACL."""

    def __init__(
        self,
        name: str,
        collection_path: str,
        content: Any,
        entry_acl: "Optional[Dict[str, Any]]" = None,
        author: str = "nobody",
        links: "Optional[Dict[str, str]]" = None,
    ) -> None:
        self.name = name
        self.collection_path = collection_path.rstrip("/")
        self.content = content
        self.acl = entry_acl
        self.author = author
        self.path = self.collection_path + "/" + quote(name, safe="")
        self.links = links or {
            "alternate": self.path,
            "list": self.path,
            "edit": self.path,
            "remove": self.path,
        }


def _xml_value(value: Any) -> str:
    if isinstance(value, dict):
        keys = "".join(
            f"<s:key name={quoteattr(str(key))}>{_xml_value(item)}</s:key>"
            for key, item in value.items()
        )
        return f"<s:dict>{keys}</s:dict>"
    if isinstance(value, (list, tuple)):
        items = "".join(f"<s:item>{_xml_value(item)}</s:item>" for item in value)
        return f"<s:list>{items}</s:list>"
    if isinstance(value, bool):
        return "1" if value else "0"
    if value is None:
        return ""
    return escape(str(value))


def _xml_entry(base_url: str, entry: Entry, updated: str) -> str:
    if isinstance(entry.content, str):  # properties/<file>/<stanza>: one entry per key
        content_xml = f'<content type="text">{escape(entry.content)}</content>'
    else:
        content = dict(entry.content)
        if entry.acl is not None:
            content["eai:acl"] = entry.acl
        content_xml = f'<content type="text/xml">{_xml_value(content)}</content>'
    links = "".join(
        f"<link href={quoteattr(href)} rel={quoteattr(rel)}/>" for rel, href in entry.links.items()
    )
    return (
        f"<entry><title>{escape(entry.name)}</title><id>{escape(base_url + entry.path)}</id>"
        f"<updated>{updated}</updated>{links}"
        f"<author><name>{escape(entry.author)}</name></author>{content_xml}</entry>"
    )


def _json_entry(base_url: str, entry: Entry, updated: str) -> Dict[str, Any]:
    rendered = {
        "name": entry.name,
        "id": base_url + entry.path,
        "updated": updated,
        "links": entry.links,
        "author": entry.author,
        "content": entry.content,
    }  # type: Dict[str, Any]
    if entry.acl is not None:
        rendered["acl"] = entry.acl
    return rendered


def feed(
    output_mode: str,
    base_url: str,
    title: str,
    collection_path: str,
    entries: "List[Entry]",
    status: int = 200,
    offset: int = 0,
    total: "Optional[int]" = None,
    per_page: int = 30,
) -> Body:
    """A collection listing (also used for single-entity reads, as splunkd does); listing.py
    picks the page of a listing and passes its offset, total and count (per_page)."""
    updated = now_iso()
    total = len(entries) if total is None else total
    if output_mode == "json":
        document = {
            "links": {"create": collection_path.rstrip("/") + "/_new"},
            "origin": base_url + collection_path,
            "updated": updated,
            "generator": {"build": SPLUNK_BUILD, "version": SPLUNK_VERSION},
            "entry": [_json_entry(base_url, entry, updated) for entry in entries],
            "paging": {"total": total, "perPage": per_page, "offset": offset},
            "messages": [],
        }
        return Body(status, json.dumps(document).encode("utf-8"), "application/json; charset=UTF-8")
    parts = [
        ATOM_HEADER,
        f"<feed {NAMESPACES}>",
        f"<title>{escape(title)}</title>",
        f"<id>{escape(base_url + collection_path)}</id>",
        f"<updated>{updated}</updated>",
        f'<generator build="{SPLUNK_BUILD}" version="{SPLUNK_VERSION}"/>',
        "<author><name>Splunk</name></author>",
        '<link href={} rel="create"/>'.format(quoteattr(collection_path.rstrip("/") + "/_new")),
        f"<opensearch:totalResults>{total}</opensearch:totalResults>",
        f"<opensearch:itemsPerPage>{per_page}</opensearch:itemsPerPage>",
        f"<opensearch:startIndex>{offset}</opensearch:startIndex>",
        "<s:messages/>",
    ]
    parts.extend(_xml_entry(base_url, entry, updated) for entry in entries)
    parts.append("</feed>")
    return Body(status, "".join(parts).encode("utf-8"), "text/xml; charset=UTF-8")


def messages(
    output_mode: str, status: int, text: str, kind: str = "ERROR", code: "Optional[str]" = None
) -> Body:
    """splunkd's error (and bare success) body: <response><messages><msg type=..>."""
    if output_mode == "json":
        message = {"type": kind, "text": text}  # type: Dict[str, Any]
        if code:
            message["code"] = code
        body = json.dumps({"messages": [message]}).encode("utf-8")
        return Body(status, body, "application/json; charset=UTF-8")
    code_attr = f" code={quoteattr(code)}" if code else ""
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<response>\n  <messages>\n'
        f"    <msg type={quoteattr(kind)}{code_attr}>{escape(text)}</msg>\n"
        "  </messages>\n</response>\n"
    )
    return Body(status, xml.encode("utf-8"), "text/xml; charset=UTF-8")


def empty_ok(output_mode: str, status: int = 200) -> Body:
    if output_mode == "json":
        return Body(status, b'{"messages":[]}', "application/json; charset=UTF-8")
    xml = '<?xml version="1.0" encoding="UTF-8"?>\n<response><messages/></response>\n'
    return Body(status, xml.encode("utf-8"), "text/xml; charset=UTF-8")


def json_body(status: int, value: Any) -> Body:
    return Body(status, json.dumps(value).encode("utf-8"), "application/json; charset=UTF-8")
