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
