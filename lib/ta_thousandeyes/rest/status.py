"""GET inputs-status: the app's inputs, which connection each uses, its last successful run and
the summary of its last run.

Inputs come from inputs.conf (``<scheme>://<name>`` stanzas of our schemes). The last
successful run is the newest ``updated`` time of the input's checkpoints in the KV store
collection ``ta_thousandeyes_checkpoints`` (a checkpoint is saved only after a run's events
were written); when the KV store is off or the collection missing, it is unknown (0). The last
run (status, events, API calls, errors, duration, end time) is the one ``run_summaries`` kept,
or null when none was kept.
"""

import logging
from typing import Dict, List

from .. import checkpoints, run_summaries
from ..redaction import redact
from . import validation
from .base import Request, json_reply, route
from .handler import RestHandler

logger = logging.getLogger("ta_thousandeyes.rest")

SCHEMES = (
    "thousandeyes_test_results",
    "thousandeyes_alerts",
    "thousandeyes_events",
    "thousandeyes_activity",
    "thousandeyes_inventory",
    "thousandeyes_token_refresh",
)
_TRUE = ("1", "true", "t", "yes", "y", "on")


def _last_runs(service: object) -> Dict[str, float]:
    """checkpoint owner -> newest update time; empty when the collection cannot be read."""
    try:
        data = service.kvstore[checkpoints.COLLECTION].data  # type: ignore[attr-defined]
        documents = data.query(fields="owner,updated")
    except Exception as error:  # KV store disabled or collection missing: unknown, not failure
        logger.debug("No checkpoint collection to read last runs from: %s", redact(error))
        return {}
    newest = {}  # type: Dict[str, float]
    for document in documents:
        owner = str(document.get("owner") or "")
        try:
            updated = float(document.get("updated") or 0)
        except (TypeError, ValueError):
            continue
        if updated > newest.get(owner, 0):
            newest[owner] = updated
    return newest


def _input_stanzas(service: object) -> Dict[str, Dict[str, object]]:
    """inputs.conf stanzas with ``disabled`` kept (read_stanzas drops it as metadata)."""
    try:
        conf = service.confs["inputs"]  # type: ignore[attr-defined]
    except KeyError:
        return {}
    return {stanza.name: dict(stanza.content) for stanza in conf.list()}


def list_inputs(service: object) -> List[Dict[str, object]]:
    stanzas = _input_stanzas(service)
    last_runs = _last_runs(service)
    summaries = run_summaries.latest(service)
    inputs = []
    for stanza, values in sorted(stanzas.items()):
        scheme, separator, name = stanza.partition("://")
        if not separator or scheme not in SCHEMES or not name:
            continue
        connection = str(values.get("connection") or "").strip()
        index = str(values.get("index") or "").strip() or "default"
        owner = checkpoints.owner_of(scheme, connection, index)
        inputs.append(
            {
                "scheme": scheme,
                "name": name,
                "connection": connection,
                "index": index,
                "interval": str(values.get("interval") or ""),
                "disabled": str(values.get("disabled") or "").strip().lower() in _TRUE,
                "last_success": int(last_runs.get(owner, 0)),
                "last_run": summaries.get(stanza),
            }
        )
    return inputs


def inputs_by_connection(service: object) -> Dict[str, List[Dict[str, object]]]:
    grouped = {}  # type: Dict[str, List[Dict[str, object]]]
    for item in list_inputs(service):
        grouped.setdefault(str(item["connection"]), []).append(item)
    return grouped


def get_inputs_status(context: object, request: Request) -> Dict:
    validation.only(request)
    return json_reply(200, {"inputs": list_inputs(context.service)})  # type: ignore[attr-defined]


class InputsStatusHandler(RestHandler):
    routes = (route("GET", "inputs-status", get_inputs_status),)
