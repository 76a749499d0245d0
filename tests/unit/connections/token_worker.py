"""Child process for the multi-process token tests: uses one connection for a while.

argv: service_file time_file lock_dir connection until out_json
The Splunk stand-in is the test's in-process one, reached over its real HTTP (``service_file``,
tests/unit/standins.py); the clock is the simulator's frozen one, read from its ``time_file``.
Every process asks for a token, calls the API with it, and follows the token-source contract
on a 401, for as long as the shared clock says the run lasts. Its call count so far is kept in
<out_json>.calls, so the test moves the clock with the workers' progress, not with the
machine's speed.
"""

import functools
import json
import sys
import time

import requests
from ta_thousandeyes import assembly, tokens

from tests.progress_clock import report_progress
from tests.simulators.thousandeyes.clock import read_time_file
from tests.unit.standins import service_from_file


def main():
    service_file, time_file, lock_dir, name, until, out = sys.argv[1:7]
    service = service_from_file(service_file)
    clock = functools.partial(read_time_file, time_file)
    result = {"calls": 0, "unauthorized": 0, "errors": []}
    try:
        conn = assembly.open_connection(service, name, clock, lock_dir)
        report_progress(out, 0)  # ready: the clock may start moving
        while clock() < float(until):
            token = conn.token_source.access_token()
            response = conn.session.get(
                conn.api_base_url + "/users/current",
                headers={"Authorization": "Bearer " + token},
            )
            if response.status_code == 401:
                result["unauthorized"] += 1
                conn.token_source.refresh_after_unauthorized(token)
            elif response.status_code != 200:
                result["errors"].append(f"HTTP {response.status_code}")
            result["calls"] += 1
            report_progress(out, result["calls"])
            time.sleep(0.01)
    except (
        tokens.ReauthorizationRequired,
        tokens.TokenUnavailable,
        requests.RequestException,
    ) as error:
        result["errors"].append(repr(error))
    with open(out, "w") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main()
