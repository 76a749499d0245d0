"""The splunklib Script every ThousandEyes input shares: scheme, validation, one run per stanza.

Subclasses name their scheme and arguments and implement ``collect(ctx, params, connection,
account_groups)``. A run opens the connection, builds an ApiClient with a deadline before
the next interval, collects, and logs one summary line. Failures are single readable lines
on stderr (through the redacting formatter); re-authorization needs are one clear line.

Stopping: splunkd stops an input (edited, disabled, deleted, or splunkd shutting down) by
signalling it and force-killing it after a grace period ("Process with pid N did not exit
within a given grace period after being signaled to exit. Will have to forcibly terminate.",
splunkd's ProcessRunner, quoted in splunk/splunk-sdk-java issue #92). Splunk documents
neither the signal nor the period; SIGTERM is the conventional one and the one handled here.
The handler only sets a flag: the request in flight completes, its page is written and its
checkpoint saved (run_stream), waits for the rate limit or a retry end at once, no new
request, stream or stanza starts, and the process exits 0. A token refresh in flight is
finished and stored too, so a rotated refresh token is never lost to the signal.
"""

import logging
import os
import signal
import sys
import threading
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple

from splunklib.modularinput import Argument, Scheme, Script

from .. import (
    APP_NAME,
    assembly,
    connections,
    locks,
    redaction,
    run_summaries,
    splunk_service,
    tokens,
)
from ..api_client import ApiClient, ApiUnavailable, RunStopped
from ..checkpoints import FileCheckpointStore, open_store, owner_of
from ..collectors.base import RunContext
from ..event_xml import XmlEventWriter
from ..rate_limit import RateLimiter, state_path_for
from ..redaction import redact
from . import arguments, start_anchor

logger = logging.getLogger("ta_thousandeyes")
URGENT_SHARE = 0.1  # of the organization's limit: 24 of 240 requests a minute
# How long after its time a record is first asked for (RunContext.settle_seconds). A test's
# round is published some time after it starts, and asking once it surely is saves a request
# per round. Urgent data is asked for up to a few seconds ago: each poll reaches back by the
# overlap and its keys drop what was sent, so a record that shows up late is still collected,
# and an alert waits at most its input's interval plus this (issue 17 point 2: interval + 30 s).
SETTLE_SECONDS = 60.0
URGENT_SETTLE_SECONDS = 10.0

# (name, title, description, required_on_create)
COMMON_ARGUMENTS = (
    ("connection", "Connection", "Name of the ThousandEyes connection to use.", True),
    (
        "account_groups",
        "Account groups",
        "Comma-separated account group ids or names, or * for every group the connection sees.",
        False,
    ),
)
START_ARGUMENT = (
    "start_from",
    "Start from",
    "How far back the first run reaches: a duration such as 1h or 7d, or a UTC date "
    "(YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ). Default 1h.",
    False,
)


def run_dir(checkpoint_dir: str) -> str:
    """Where processes of every scheme share rate-limit state and locks: the setup page's
    run directory too (locks.run_directory), so both sides take the same connection lock."""
    return locks.run_directory() or os.path.join(
        os.path.dirname(checkpoint_dir.rstrip("/")) or ".", APP_NAME
    )


class ThousandEyesInput(Script):
    """Base of every input; see the module docstring."""

    SCHEME = ""  # e.g. thousandeyes_alerts
    TITLE = ""
    DESCRIPTION = ""
    EXTRA_ARGUMENTS = ()  # type: Tuple[Tuple[str, str, str, bool], ...]
    # The comma-separated ones among them, checked by validate_input (arguments.validate_lists)
    LIST_ARGUMENTS = ()  # type: Tuple[arguments.ListArgument, ...]
    USES_ACCOUNT_GROUPS = True
    USES_START = True
    # Small, time-critical data (alerts, events, activity): first in the shared budget, which
    # the other inputs (a test-results backlog) leave URGENT_SHARE of to it.
    URGENT = False
    DEFAULT_INTERVAL = 300

    @property
    def settle_seconds(self) -> float:
        return URGENT_SETTLE_SECONDS if self.URGENT else SETTLE_SECONDS

    def __init__(self) -> None:
        super().__init__()
        self.clock = time.time
        self._stop = threading.Event()

    # -- stopping --------------------------------------------------------------------------
    @property
    def stopping(self) -> bool:
        """splunkd asked this process to exit (SIGTERM)."""
        return self._stop.is_set()

    def request_stop(self, signum: Any = None, frame: Any = None) -> None:
        """The SIGTERM handler: a flag only (it may run between any two bytecodes)."""
        self._stop.set()

    def handle_sigterm(self) -> None:
        try:
            signal.signal(signal.SIGTERM, self.request_stop)
        except ValueError:  # not the main thread (an embedding test): nobody signals us
            pass

    def sleep(self, seconds: float) -> None:
        """time.sleep that a stop ends early (Event.wait returns once the handler sets it)."""
        self._stop.wait(max(0.0, seconds))

    # -- entry point -----------------------------------------------------------------------
    def run(self, args: List[str]) -> int:  # type: ignore[override]
        redaction.configure_logging()  # stderr, every line through redaction
        return self.run_script(args, XmlEventWriter(), sys.stdin)

    @property
    def service(self) -> Any:
        """splunkd in the app's namespace (owner nobody). splunklib's own Script.service has
        no namespace, so the app's confs, secrets and KV store collections are not found."""
        if self._service is None and self._input_definition is not None:
            self._service = self._service_from(self._input_definition.metadata)
        return self._service

    # -- scheme ----------------------------------------------------------------------------
    def get_scheme(self) -> Scheme:
        scheme = Scheme(self.TITLE)
        scheme.description = self.DESCRIPTION
        scheme.use_external_validation = True
        scheme.use_single_instance = False
        scheme.streaming_mode = Scheme.streaming_mode_xml
        for name, title, description, required in self.argument_specs():
            argument = Argument(name, title=title, description=description)
            argument.data_type = Argument.data_type_string
            argument.required_on_create = required
            argument.required_on_edit = False
            scheme.add_argument(argument)
        return scheme

    def argument_specs(self) -> Tuple[Tuple[str, str, str, bool], ...]:
        specs = COMMON_ARGUMENTS if self.USES_ACCOUNT_GROUPS else COMMON_ARGUMENTS[:1]
        if self.USES_START:
            specs = specs + (START_ARGUMENT,)
        return specs + tuple(self.EXTRA_ARGUMENTS)

    # -- validation ------------------------------------------------------------------------
    def validate_input(self, definition: Any) -> None:
        """Raise with an admin-readable message; splunklib turns it into <error><message>."""
        params = definition.parameters
        arguments.validate_interval(params.get("interval"))
        if self.USES_START:
            arguments.parse_start(params.get("start_from"), time.time())
        arguments.validate_lists(params, self.LIST_ARGUMENTS)
        self.validate_extra(params)
        name = (params.get("connection") or "").strip()
        if not name:
            raise arguments.ArgumentError("Choose a ThousandEyes connection")
        service = self._service_from(definition.metadata)
        config = self._connection_config(service, name)
        if self.USES_ACCOUNT_GROUPS and config is not None:
            arguments.resolve_account_groups(params.get("account_groups"), config.account_groups)

    def validate_extra(self, params: Dict[str, Any]) -> None:
        """Subclasses check their own parameters here."""

    @staticmethod
    def _service_from(metadata: Dict[str, Any]) -> Any:
        return splunk_service.connect(metadata["server_uri"], metadata["session_key"])

    @staticmethod
    def _connection_config(service: Any, name: str) -> Any:
        try:
            return connections.get_connection(service, name)
        except connections.UnknownConnectionError:
            raise arguments.ArgumentError(
                f"Unknown connection {name!r}: create it on the add-on's setup page first"
            )

    # -- running ---------------------------------------------------------------------------
    def stream_events(self, inputs: Any, ew: Any) -> None:
        self.handle_sigterm()
        redaction.configure_logging()  # stderr, every line through redaction
        metadata = inputs.metadata
        checkpoint_dir = metadata.get("checkpoint_dir") or "."
        service = self.service
        store = open_store(service, checkpoint_dir)
        running = set()
        for stanza, params in inputs.inputs.items():
            if self.stopping:
                return  # nothing more starts; housekeeping waits for the next run
            self.run_stanza(service, store, checkpoint_dir, stanza, params, ew, metadata)
            running.add(self._owner(params))
        if not self.stopping:
            self._prune(service, store, running)

    def run_stanza(
        self,
        service: Any,
        store: Any,
        checkpoint_dir: str,
        stanza: str,
        params: Dict[str, Any],
        writer: XmlEventWriter,
        metadata: Dict[str, Any],
    ) -> None:
        started = self.clock()
        connection_name = (params.get("connection") or "").strip()
        index = params.get("index") or "default"
        host = params.get("host") or metadata.get("server_host") or ""
        interval = arguments.interval_seconds(params.get("interval"), self.DEFAULT_INTERVAL)
        deadline = started + max(30.0, 0.9 * interval)
        directory = run_dir(checkpoint_dir)
        ctx = None  # type: Optional[RunContext]
        client = None  # type: Optional[ApiClient]
        connection = None
        status = "ok"
        reason = ""  # why a run ended badly, for its summary line
        try:
            # Decided (and saved) before the first request, so a killed run moves nothing.
            initial_start = started
            if self.USES_START:
                initial_start = start_anchor.input_start(
                    store, self._owner(params), stanza, params.get("start_from"), started
                )
            connection = assembly.open_connection(
                service, connection_name, lock_dir=os.path.join(directory, "locks")
            )
            limiter = RateLimiter(
                state_path_for(directory, connection_name, "org"),
                clock=self.clock,
                sleep=self.sleep,
                urgent=self.URGENT,
                urgent_share=0.0 if self.URGENT else URGENT_SHARE,
            )
            client = ApiClient(
                connection.region.api_base_url,
                connection.session,
                connection.token_source,
                rate_limiter=limiter,
                deadline=deadline,
                clock=self.clock,
                sleep=self.sleep,
                stop_requested=self._stop.is_set,
            )
            ctx = RunContext(
                client,
                writer,
                store,
                self._owner(params),
                stanza,
                index=index if index != "default" else "",
                host=host,
                initial_start=initial_start,
                deadline=deadline,
                settle_seconds=self.settle_seconds,
                clock=self.clock,
                stop_requested=self._stop.is_set,
            )
            groups = self.account_groups(ctx, params, connection)
            self.collect(ctx, params, connection, groups)
            if ctx.errors:
                status = "partial"
            if self.stopping:
                status = "stopped"
        except RunStopped:
            status = "stopped"
        except tokens.ReauthorizationRequired as error:
            status, reason = "needs_reauthorization", _one_line(error)
            logger.error("%s: %s", stanza, reason)
        except connections.UnknownConnectionError as error:
            status, reason = "error", _one_line(error)
            logger.error("%s: %s", stanza, reason)
        except (ApiUnavailable, tokens.TokenUnavailable) as error:
            status, reason = "incomplete", _one_line(error)
            logger.warning("%s: stopped early, will resume next run: %s", stanza, reason)
        except arguments.ArgumentError as error:
            status, reason = "error", _one_line(error)
            logger.error("%s: %s", stanza, reason)
        except Exception as error:  # one readable line; the next run starts over
            status, reason = "error", f"{type(error).__name__}: {_one_line(error)}"
            logger.error("%s: %s", stanza, reason)
        finally:
            writer.flush()
            if connection is not None:
                connection.close()
        if status == "stopped":
            logger.info(
                "%s: stopped by splunkd (SIGTERM): the page in flight was written and its "
                "checkpoint saved; the next run resumes there",
                stanza,
            )
        summary = self.log_summary(stanza, status, started, ctx, client, store, reason)
        if service is not None:
            run_summaries.record(service, stanza, summary, self.clock())

    def account_groups(self, ctx: RunContext, params: Dict[str, Any], connection: Any) -> List[str]:
        if not self.USES_ACCOUNT_GROUPS:
            return []
        known = list(getattr(connection.config, "account_groups", []) or [])
        if not known and (params.get("account_groups") or "*").strip() == "*":
            body = ctx.client.get("/account-groups")
            known = [
                {"aid": str(g.get("aid")), "name": g.get("accountGroupName", "")}
                for g in body.get("accountGroups") or []
                if isinstance(g, dict)
            ]
        return arguments.resolve_account_groups(params.get("account_groups"), known)

    def collect(
        self, ctx: RunContext, params: Dict[str, Any], connection: Any, account_groups: List[str]
    ) -> None:
        raise NotImplementedError

    def log_summary(
        self,
        stanza: str,
        status: str,
        started: float,
        ctx: Optional[RunContext],
        client: Optional[ApiClient],
        store: Any,
        reason: str = "",
    ) -> Dict[str, Any]:
        """Log the run's one summary line and return its fields."""
        stats = client.stats.as_dict() if client else {}
        fields = [
            ("input", stanza),
            ("status", status),
            ("events", ctx.events if ctx else 0),
            ("records", stats.get("records", 0)),
            ("pages", stats.get("pages", 0)),
            ("api_calls", stats.get("api_calls", 0)),
            ("streams_not_due", ctx.not_due if ctx else 0),  # no new round could exist yet
            ("retries", stats.get("retries", 0)),
            ("rate_limited", stats.get("rate_limited", 0)),
            ("rate_limit_remaining", stats.get("rate_limit_remaining")),
            ("records_repaired", stats.get("records_repaired", 0)),
            ("records_unreadable", stats.get("records_unreadable", 0)),
            *self.summary_fields(ctx),
            ("duration", f"{self.clock() - started:.2f}s"),
            ("checkpoint", ctx.checkpoint_position() if ctx else None),
            ("checkpoint_backend", getattr(store, "backend", "none")),
            ("errors", len(ctx.errors) if ctx else 0),
            ("reason", reason.replace('"', "'")),  # quoted value: no double quote inside
        ]
        logger.info(
            "run summary %s",
            " ".join('{}="{}"'.format(k, "" if v is None else v) for k, v in fields),
        )
        return dict(fields)

    def summary_fields(self, ctx: Optional[RunContext]) -> List[Tuple[str, Any]]:
        """A subclass's own figures for its run summary line."""
        return []

    def _owner(self, params: Dict[str, Any]) -> str:
        return input_owner(self.SCHEME, params)

    def _prune(self, service: Any, store: Any, running: set) -> None:
        """Drop checkpoints of this scheme that no configured input owns any more."""
        if service is None:
            return
        try:
            live = live_owners(service, (self.SCHEME,))
            if not running <= live:
                return  # the listing is incomplete; pruning on it could drop live checkpoints
            deleted = store.prune(live, scheme=self.SCHEME)
            if deleted:
                logger.info("removed %d checkpoints of deleted inputs", len(deleted))
        except Exception as error:  # pruning is housekeeping; never fail a run for it
            logger.debug("checkpoint pruning skipped: %s", _one_line(error))


# Schemes whose inputs keep checkpoints (the token keep-alive input keeps none).
DATA_SCHEMES = (
    "thousandeyes_test_results",
    "thousandeyes_alerts",
    "thousandeyes_events",
    "thousandeyes_activity",
    "thousandeyes_inventory",
    "thousandeyes_endpoint_results",
)


def input_owner(scheme: str, params: Dict[str, Any]) -> str:
    connection = str(params.get("connection") or "").strip()
    return owner_of(scheme, connection, str(params.get("index") or "default"))


def live_owners(service: Any, schemes: Sequence[str]) -> set:
    """Owners of every configured input of these schemes. Raises when splunkd cannot list
    them or cannot prove the listing whole (splunk_service.list_entries), so that pruning,
    which deletes what is not listed, never acts on a partial listing."""
    return {
        input_owner(scheme, content)
        for scheme in schemes
        for _, content in splunk_service.list_entries(service, "data/inputs/" + scheme)
    }


def prune_all_schemes(service: Any, checkpoint_dir: str) -> int:
    """Drop checkpoints of deleted inputs of every scheme, not only the caller's: a deleted
    input whose scheme has no other input would otherwise keep its checkpoints for good.
    File checkpoints live in each scheme's own checkpoint_dir, siblings of the caller's."""
    live = live_owners(service, DATA_SCHEMES)
    store = open_store(service, checkpoint_dir)
    stores = [store]
    if store.backend != "kvstore":
        parent = os.path.dirname(checkpoint_dir.rstrip("/"))
        stores = [
            FileCheckpointStore(os.path.join(parent, scheme))
            for scheme in DATA_SCHEMES
            if os.path.isdir(os.path.join(parent, scheme, "ta_thousandeyes"))
        ]
    deleted = 0
    for each in stores:
        for scheme in DATA_SCHEMES:
            deleted += len(each.prune(live, scheme=scheme))
    return deleted


def _one_line(error: BaseException) -> str:
    return redact(" ".join(str(error).split()) or type(error).__name__)


def list_param(params: Dict[str, Any], name: str) -> Sequence[str]:
    return arguments.split_list(params.get(name))
