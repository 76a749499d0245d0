"""Child process: one add-on process using a shared connection until the given (simulated) time.

argv: splunkd_uri session_key splunk_ca lock_dir connection until out_json [mode]
mode "crash": die between the server's rotation and our write; "refresh": begin with a forced
refresh (as after a 401) while the stored access token is still valid.
Runs under libfaketime so time.time() is the simulator's time; nothing here is simulated-aware.
Its call count so far is kept in <out_json>.calls (tests.progress_clock).
"""

import json
import os
import sys
import time

from ta_thousandeyes import assembly, splunk_service, tokens
from ta_thousandeyes.oauth import refresh

from tests.progress_clock import report_progress


def _crash_after_server_rotation():
    original = refresh.refresh_tokens

    def refresh_then_die(*args, **kwargs):
        original(*args, **kwargs)  # the server has rotated the refresh token...
        os._exit(9)  # ...and we die before persisting it

    tokens.refresh_tokens = refresh_then_die


def main():
    uri, key, ca, lock_dir, name, until, out = sys.argv[1:8]
    mode = sys.argv[8] if len(sys.argv) > 8 else ""
    if mode == "crash":
        _crash_after_server_rotation()
    service = splunk_service.connect(uri, key, ca_bundle=ca)
    result = {"calls": 0, "unauthorized": 0, "rate_limited": 0, "errors": []}
    try:
        conn = assembly.open_connection(service, name, lock_dir=lock_dir)
        report_progress(out, 0)  # ready: the clock may start moving
        if mode == "refresh":
            conn.token_source.refresh_after_unauthorized(conn.token_source.access_token())
        while time.time() < float(until):
            token = conn.token_source.access_token()
            response = conn.session.get(
                conn.api_base_url + "/users/current", headers={"Authorization": "Bearer " + token}
            )
            if response.status_code == 401:
                result["unauthorized"] += 1
                conn.token_source.refresh_after_unauthorized(token)
            elif response.status_code == 429:
                result["rate_limited"] += 1  # the simulator's 240/min: not our concern here
            elif response.status_code != 200:
                result["errors"].append(f"HTTP {response.status_code}")
            result["calls"] += 1
            report_progress(out, result["calls"])
            time.sleep(0.5)
    except (tokens.ReauthorizationRequired, tokens.TokenUnavailable) as error:
        result["errors"].append(repr(error))
    with open(out, "w") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main()
