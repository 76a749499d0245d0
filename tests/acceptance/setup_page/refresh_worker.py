"""Child process: an input's token refresh, with the lock and run directories an input has.

argv: splunkd_uri session_key splunk_ca connection out_json. SPLUNK_HOME is the stand-in's
home, so its locks are the instance's (tokens.TokenManager with no lock_dir given), exactly
as a modular input started by splunkd finds them.
"""

import json
import os
import sys
import time

from ta_thousandeyes import assembly, splunk_service, tokens


def _wait_for(path, seconds=60.0):
    deadline = time.monotonic() + seconds
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.05)


def main():
    uri, key, ca, name, out = sys.argv[1:6]
    service = splunk_service.connect(uri, key, ca_bundle=ca)
    conn = assembly.open_connection(service, name)
    result = {"refreshed": False, "after_refresh": None, "error": ""}
    try:
        stale = conn.token_source.access_token()
        fresh = conn.token_source.refresh_after_unauthorized(stale)  # slow at the server
        result["refreshed"] = fresh != stale
        _wait_for(out + ".go")  # the test says when the log out has answered
        response = conn.session.get(
            conn.api_base_url + "/users/current", headers={"Authorization": "Bearer " + fresh}
        )
        result["after_refresh"] = response.status_code
        if response.status_code == 401:
            conn.token_source.refresh_after_unauthorized(fresh)
    except (tokens.ReauthorizationRequired, tokens.TokenUnavailable) as error:
        result["error"] = type(error).__name__
    with open(out, "w") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main()
