"""Input ``thousandeyes_token_refresh``: keeps idle OAuth connections' refresh tokens alive.

Refresh tokens expire when unused for a while; a connection whose inputs are all disabled
would otherwise need re-authorization. This input writes no events, only a log line.
"""

import logging
import os
import sys
from typing import Any, Dict

from .. import connections, tokens
from .base import ThousandEyesInput, _one_line, prune_all_schemes, run_dir

logger = logging.getLogger("ta_thousandeyes.token_refresh")


class TokenRefreshInput(ThousandEyesInput):
    SCHEME = "thousandeyes_token_refresh"
    TITLE = "ThousandEyes token keep-alive"
    DESCRIPTION = "Refreshes idle ThousandEyes OAuth connections before their tokens expire."
    USES_ACCOUNT_GROUPS = False
    USES_START = False
    DEFAULT_INTERVAL = 3600

    def validate_input(self, definition: Any) -> None:
        from . import arguments

        params = definition.parameters
        arguments.validate_interval(params.get("interval"))
        name = (params.get("connection") or "*").strip()
        if name != "*":
            self._connection_config(self._service_from(definition.metadata), name)

    def run_stanza(
        self,
        service: Any,
        store: Any,
        checkpoint_dir: str,
        stanza: str,
        params: Dict[str, Any],
        writer: Any,
        metadata: Dict[str, Any],
    ) -> None:
        name = (params.get("connection") or "*").strip()
        if name == "*":
            names = [config.name for config in connections.list_connections(service)]
        else:
            names = [name]
        lock_dir = os.path.join(run_dir(checkpoint_dir), "locks")
        for connection_name in names:
            if self.stopping:
                return  # the refresh in flight was finished and stored; the rest waits
            try:
                outcome = tokens.keep_alive(service, connection_name, lock_dir=lock_dir)
                logger.info("%s: connection %s keep-alive: %s", stanza, connection_name, outcome)
            except tokens.ReauthorizationRequired as error:
                logger.error("%s: %s", stanza, _one_line(error))
            except Exception as error:  # one line; the next interval tries again
                logger.error(
                    "%s: connection %s keep-alive failed: %s: %s",
                    stanza,
                    connection_name,
                    type(error).__name__,
                    _one_line(error),
                )

    def stream_events(self, inputs: Any, ew: Any) -> None:
        super().stream_events(inputs, ew)
        if not self.stopping:
            self._prune_every_scheme(self.service, inputs.metadata.get("checkpoint_dir") or ".")

    def _prune(self, service: Any, store: Any, running: set) -> None:
        return None  # this input keeps no checkpoints of its own

    @staticmethod
    def _prune_every_scheme(service: Any, checkpoint_dir: str) -> None:
        """Hourly housekeeping: checkpoints of deleted inputs of any scheme."""
        if service is None:
            return
        try:
            deleted = prune_all_schemes(service, checkpoint_dir)
            if deleted:
                logger.info("removed %d checkpoints of deleted inputs", deleted)
        except Exception as error:  # housekeeping; never fail the keep-alive for it
            logger.debug("checkpoint pruning skipped: %s", _one_line(error))


def main() -> None:
    sys.exit(TokenRefreshInput().run(sys.argv))
