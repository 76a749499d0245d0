"""The one redaction path: known secrets and secret-shaped values never leave the process."""

import io
import logging

from ta_thousandeyes import redaction
from ta_thousandeyes.redaction import MASK, RedactingFormatter, redact, register_secret


def test_registered_secret_is_masked_wherever_it_appears():
    register_secret("opaque-refresh-7f3a9c")
    text = redact("rotated opaque-refresh-7f3a9c; again:opaque-refresh-7f3a9c.")
    assert "opaque-refresh-7f3a9c" not in text
    assert text.count(MASK) == 2


def test_short_values_are_not_registered_so_ordinary_words_survive():
    register_secret("abc")
    assert redact("abc is fine") == "abc is fine"


def test_authorization_headers_of_every_scheme():
    for scheme in ("Bearer", "Splunk", "Basic", "bearer"):
        text = redact(f"headers={{'Authorization': '{scheme} zzTOKENzz123'}}")
        assert "zzTOKENzz123" not in text, scheme


def test_token_fields_in_json_form_and_query():
    samples = [
        '{"access_token": "AT-1234567", "expires_in": 600}',
        "{'refresh_token': 'RT-1234567'}",
        "grant_type=refresh_token&refresh_token=RT-1234567&client_id=cid",
        "device_code=DC-1234567&grant_type=urn%3Aietf",
        "https://splunk/callback?code=AC-1234567&state=st",
        '{"password": "hunter2-long"}',
        '{"clear_password": "{\\"access_token\\": 1}"}',
    ]
    for sample in samples:
        text = redact(sample)
        for secret in ("AT-1234567", "RT-1234567", "DC-1234567", "AC-1234567", "hunter2-long"):
            assert secret not in text, sample


def test_jwt_anywhere():
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXZhbHVl"
    assert jwt not in redact(f"token was {jwt} (expired)")


def test_non_secret_fields_survive():
    text = redact('{"expires_in": 600, "token_type": "Bearer", "user_code": "ABCD-EFGH"}')
    assert '"expires_in": 600' in text


def test_formatter_redacts_message_and_traceback():
    register_secret("secret-in-traceback-99")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("test_redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise ValueError("failed with secret-in-traceback-99")
        except ValueError:
            logger.exception("refresh_token=%s", "secret-in-traceback-99")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "secret-in-traceback-99" not in output
    assert "ValueError" in output


def test_redact_accepts_any_object():
    register_secret("object-secret-123")
    assert "object-secret-123" not in redaction.redact({"x": "object-secret-123"})


# -- every logger of the package, in every process -------------------------------------------

_HOST_PROCESS = r"""
import logging, sys
sys.path.insert(0, sys.argv[1])
# The host (Splunk's persistent-handler driver, or python itself) may log to stderr from the
# root logger; the add-on's lines must not reach it unredacted.
logging.basicConfig(stream=sys.stderr, level=logging.DEBUG, format="ROOT %(name)s %(message)s")
import importlib.util
spec = importlib.util.spec_from_file_location("rest_entry", sys.argv[2])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
handler = module.ConnectionsHandler.__new__(module.ConnectionsHandler)
handler.__init__([], None)  # as splunkd's driver builds it for each request
from ta_thousandeyes import redaction
secret = "refresh-" + "Qx7" * 10
redaction.register_secret(secret)
logging.getLogger("ta_thousandeyes.authorization").warning("rotated %s", secret)
logging.getLogger("ta_thousandeyes.oauth.discovery").info("sent refresh_token=plain-shape-77")
logging.getLogger("ta_thousandeyes.rest").warning("and here %s", secret)
"""


def test_oauth_loggers_are_redacted_in_the_rest_handler_process(tmp_path):
    """Issue 15 point 9: in the REST process only ta_thousandeyes.rest was redacted."""
    import os
    import subprocess
    import sys

    import ta_thousandeyes

    lib = os.path.dirname(os.path.dirname(os.path.abspath(ta_thousandeyes.__file__)))
    entry = os.path.join(os.path.dirname(lib), "bin", "ta_thousandeyes_rest_connections.py")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    result = subprocess.run(
        [sys.executable, "-c", _HOST_PROCESS, lib, entry],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    err = result.stderr
    assert "Qx7Qx7" not in err and "plain-shape-77" not in err, err
    assert "WARNING ta_thousandeyes.authorization: rotated " + MASK in err
    assert "INFO ta_thousandeyes.oauth.discovery: sent refresh_token=" + MASK in err
    assert "WARNING ta_thousandeyes.rest: and here " + MASK in err
    assert "ROOT ta_thousandeyes" not in err  # through the one formatter only, once


def test_configure_logging_covers_the_whole_package_once():
    package = redaction.configure_logging("DEBUG")
    redaction.configure_logging("INFO")
    ours = [h for h in package.handlers if isinstance(h, redaction.RedactingStderrHandler)]
    assert len(ours) == 1 and package.propagate is False and package.level == logging.INFO
    assert isinstance(ours[0].formatter, RedactingFormatter)
    # no logger of the package has a handler of its own that could bypass redaction
    import ta_thousandeyes.modinputs.base  # noqa: F401 - every module's loggers exist now
    import ta_thousandeyes.rest.handlers  # noqa: F401

    names = [n for n in logging.root.manager.loggerDict if n.startswith("ta_thousandeyes.")]
    assert names
    for name in names:
        logger = logging.getLogger(name)
        assert [h for h in logger.handlers if not isinstance(h, logging.NullHandler)] == [], name
        assert logger.propagate, name
