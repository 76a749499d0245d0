"""The in-flight marker of a token refresh (tokens.REFRESH_SENT_AT) and lost token answers.

The te server rotates strictly (a used refresh token answers invalid_grant); a lost answer
is the te's real answer thrown away after the server acted. Grace and no-rotation servers
are the simulator's (tests/acceptance/connections/test_lost_token_answers.py).
"""

import time

import pytest
import requests
from ta_thousandeyes import assembly, connections, credential_store, tokens
from ta_thousandeyes.oauth import errors as oauth_errors
from ta_thousandeyes.oauth import transport

from .sim_oauth import START
from .test_tokens import _connect


def _stored(service):
    return credential_store.CredentialStore(service).read("connection:prod")


class Killed(BaseException):
    """Stands for SIGKILL: nothing of ours runs after it (the lock is released as by the kernel)."""


@pytest.fixture
def sends(monkeypatch, wired):
    """Each refresh as sent: (refresh token, record stored at that moment). ``sends.plan``
    says what happens to the next sends: "ok"; "lose" (the te acts, the answer is lost);
    "lose-unread" (lost before the te read it); "unreachable"; "kill" (the te acts, then
    the process dies)."""
    service = wired[0]
    original = tokens.refresh_tokens

    class Sends(list):
        plan = []

    sent = Sends()

    def send(session, region, token_url, client_id, refresh_token, *rest, **kw):
        sent.append((refresh_token, _stored(service)))
        what = sent.plan.pop(0) if sent.plan else "ok"
        if what == "unreachable":
            raise oauth_errors.ServerError("Could not reach the authorization server")
        if what == "lose-unread":
            raise oauth_errors.AnswerLostError("connection reset")
        answer = original(session, region, token_url, client_id, refresh_token, *rest, **kw)
        if what == "lose":
            raise oauth_errors.AnswerLostError("connection reset after the server answered")
        if what == "kill":
            raise Killed()
        return answer

    monkeypatch.setattr(tokens, "refresh_tokens", send)
    return sent


def _lost_message(sent_at):
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(sent_at))
    return (
        f"Connection 'prod' needs re-authorization: the answer to the token refresh at {when} "
        "was lost and the authorization server does not accept a refresh token twice"
    )


def test_marker_is_stored_before_sending_and_dropped_with_the_new_tokens(wired, sends):
    service, te, lock_dir = wired
    conn = _connect(service, te, lock_dir)
    before = _stored(service)
    te.clock.advance(600)
    conn.token_source.access_token()
    [(sent_token, stored_while_sending)] = sends
    assert sent_token == before["refresh_token"] == stored_while_sending["refresh_token"]
    assert stored_while_sending[tokens.REFRESH_SENT_AT] == te.clock()  # the frozen clock
    after = _stored(service)
    assert tokens.REFRESH_SENT_AT not in after and after["refresh_token"] != sent_token


def test_lost_answer_is_asked_again_at_once_and_then_stored(wired, sends):
    service, te, lock_dir = wired
    conn = _connect(service, te, lock_dir)
    te.clock.advance(600)
    sends.plan = ["lose-unread"]
    token = conn.token_source.access_token()
    assert [sent for sent, _ in sends] == [sends[0][0]] * 2
    assert _stored(service)["access_token"] == token
    assert tokens.REFRESH_SENT_AT not in _stored(service)
    assert connections.get_connection(service, "prod").state == "connected"


def test_lost_answer_refused_again_says_exactly_why(wired, sends):
    service, te, lock_dir = wired
    conn = _connect(service, te, lock_dir)
    te.clock.advance(600)
    sends.plan = ["lose"]
    with pytest.raises(tokens.ReauthorizationRequired) as raised:
        conn.token_source.access_token()  # the strict te refuses the spent token
    assert [sent for sent, _ in sends] == [sends[0][0]] * 2
    message = str(raised.value)
    assert message.startswith(_lost_message(sends[0][1][tokens.REFRESH_SENT_AT]))
    assert message.endswith("; connect again (Reconnect on the setup page)")
    config = connections.get_connection(service, "prod")
    assert config.state == "needs_reauthorization" and config.error == message


def test_marker_left_by_a_killed_process_is_retried_at_once_and_explains(wired, sends):
    service, te, lock_dir = wired
    conn = _connect(service, te, lock_dir)
    te.clock.advance(500)  # the access token stays fresh for another 85 s
    sends.plan = ["kill"]
    with pytest.raises(Killed):
        conn.token_source.refresh_after_unauthorized(conn.token_source.access_token())
    sent_at = _stored(service)[tokens.REFRESH_SENT_AT]
    successor = assembly.open_connection(service, "prod", te.clock, lock_dir)
    with pytest.raises(tokens.ReauthorizationRequired) as raised:
        successor.token_source.access_token()  # not the stored, still fresh token: refresh
    assert len(sends) == 2 and sends[1][0] == sends[0][0]
    assert str(raised.value).startswith(_lost_message(sent_at))


def test_lost_answer_then_unreachable_keeps_the_marker(wired, sends):
    service, te, lock_dir = wired
    conn = _connect(service, te, lock_dir)
    te.clock.advance(600)
    sends.plan = ["lose", "unreachable"]
    with pytest.raises(tokens.TokenUnavailable):
        conn.token_source.access_token()
    assert _stored(service)[tokens.REFRESH_SENT_AT] == sends[0][1][tokens.REFRESH_SENT_AT]
    assert connections.get_connection(service, "prod").state == "error"
    with pytest.raises(tokens.ReauthorizationRequired, match="was lost and the authorization"):
        conn.token_source.access_token()


def test_refused_refresh_clears_the_marker(wired, sends):
    service, te, lock_dir = wired
    conn = _connect(service, te, lock_dir)
    sends.plan = ["unreachable"]
    te.clock.advance(590)  # inside the margin: the old token is still handed out
    assert conn.token_source.access_token()
    assert len(sends) == 1 and tokens.REFRESH_SENT_AT not in _stored(service)


class _Session:
    def __init__(self, error):
        self.error = error

    def post(self, *args, **kwargs):
        raise self.error


def _answer(status, body):
    response = requests.Response()
    response.status_code = status
    response._content = body
    return response


@pytest.mark.parametrize(
    "error, lost",
    [
        (requests.ConnectTimeout("connect timed out"), False),
        (requests.exceptions.ChunkedEncodingError("IncompleteRead(40 of 80 bytes)"), True),
        (requests.ReadTimeout("read timed out"), True),
        (requests.ConnectionError("Connection reset by peer"), True),
    ],
    ids=["connect-timeout", "cut-body", "read-timeout", "reset"],
)
def test_transport_tells_a_lost_answer_from_a_request_never_sent(wired, error, lost):
    service, te, lock_dir = wired
    region = _connect(service, te, lock_dir).region
    with pytest.raises(oauth_errors.ServerError) as raised:
        transport.post_form(_Session(error), region, region.token_url, "grant_type=x")
    assert isinstance(raised.value, oauth_errors.AnswerLostError) is lost


def test_connection_refused_is_never_sent(wired):
    service, te, lock_dir = wired
    region = _connect(service, te, lock_dir).region
    session = requests.Session()
    te.go_down()  # nothing listens on the token endpoint's port any more
    with pytest.raises(oauth_errors.ServerError) as raised:
        transport.post_form(session, region, region.token_url, "grant_type=x")
    assert not isinstance(raised.value, oauth_errors.AnswerLostError)


@pytest.mark.parametrize(
    "status, body, lost",
    [
        (200, b'{"access_token": "at-1234', True),  # cut
        (200, b"<html>ok</html>", True),
        (502, b"<html>Bad Gateway</html>", True),
        (503, b'{"error": "temporarily_unavailable"}', False),  # the server decided
        (400, b'{"error": "invalid_grant"}', False),
    ],
)
def test_unusable_token_answers_are_lost_answers(status, body, lost):
    with pytest.raises(oauth_errors.OAuthFlowError) as raised:
        transport.parse_tokens(_answer(status, body), lambda: START)  # no wall clock
    assert isinstance(raised.value, oauth_errors.AnswerLostError) is lost
