"""The last run of each input: what its run summary line said, kept where the pages can read it.

Every run logs one ``run summary`` line to splunkd.log; the same figures (status, why it ended
badly, events, API calls, errors, duration, when it ended) are also written as one document
per input stanza to the KV store collection ``ta_thousandeyes_runs``, replacing the previous
run's. The Inputs page reads them through the ``inputs-status`` endpoint. Keeping them is
housekeeping: a KV store that is disabled or failing never fails a run, and the summary is
then simply unknown.
"""

import logging
from typing import Any, Dict, Mapping

from .checkpoints import checkpoint_key
from .redaction import redact

COLLECTION = "ta_thousandeyes_runs"
FIELDS = ("status", "reason", "events", "api_calls", "errors", "duration", "finished")

logger = logging.getLogger(__name__)


def _number(value: Any) -> float:
    try:
        return float(str(value).rstrip("s"))
    except (TypeError, ValueError):
        return 0.0


def record(service: Any, stanza: str, summary: Mapping[str, Any], finished: float) -> None:
    """Save one run's summary for ``stanza`` (``<scheme>://<name>``); never raises."""
    document = {
        "_key": checkpoint_key(stanza),
        "stanza": stanza,
        "status": str(summary.get("status") or ""),
        "reason": str(summary.get("reason") or ""),
        "events": int(_number(summary.get("events"))),
        "api_calls": int(_number(summary.get("api_calls"))),
        "errors": int(_number(summary.get("errors"))),
        "duration": round(_number(summary.get("duration")), 2),
        "finished": round(float(finished), 3),
    }
    try:
        service.kvstore[COLLECTION].data.batch_save(document)
    except Exception as error:  # KV store off or failing: the summary line in splunkd.log stays
        logger.debug("run summary of %s not kept: %s", stanza, redact(error))


def latest(service: Any) -> Dict[str, Dict[str, Any]]:
    """stanza -> its last run's summary; empty when the collection cannot be read."""
    try:
        documents = service.kvstore[COLLECTION].data.query()
    except Exception as error:
        logger.debug("no run summaries to read: %s", redact(error))
        return {}
    runs = {}  # type: Dict[str, Dict[str, Any]]
    for document in documents:
        stanza = str(document.get("stanza") or "")
        if stanza:
            runs[stanza] = {name: document.get(name) for name in FIELDS}
    return runs
