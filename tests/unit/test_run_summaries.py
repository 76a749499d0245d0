"""run_summaries: one document per input with its last run's figures; never fails a run."""

from ta_thousandeyes import run_summaries


class _Data:
    def __init__(self, fail=False):
        self.saved = []
        self.fail = fail

    def batch_save(self, *documents):
        if self.fail:
            raise OSError("KV store is disabled")
        self.saved.extend(documents)


class _Service:
    def __init__(self, data):
        self.kvstore = {run_summaries.COLLECTION: type("C", (), {"data": data})()}


def test_record_keeps_the_summary_figures_as_numbers():
    data = _Data()
    summary = {"status": "ok", "events": 7, "api_calls": 3, "errors": 0, "duration": "2.25s"}
    run_summaries.record(_Service(data), "thousandeyes_alerts://a b", summary, 1780000000.5)
    (document,) = data.saved
    assert document["stanza"] == "thousandeyes_alerts://a b"
    assert "/" not in document["_key"] and " " not in document["_key"]
    assert (document["events"], document["api_calls"], document["errors"]) == (7, 3, 0)
    assert document["duration"] == 2.25 and document["finished"] == 1780000000.5


def test_a_failing_kv_store_never_fails_the_run():
    run_summaries.record(_Service(_Data(fail=True)), "thousandeyes_alerts://a", {}, 0.0)
    assert run_summaries.latest(object()) == {}
