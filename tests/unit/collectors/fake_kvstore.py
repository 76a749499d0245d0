"""An in-memory stand-in for splunklib's ``service.kvstore[collection].data`` (unit tests only).

Errors are splunklib's own HTTPError, as the real client raises them.
"""

import io
import json
from types import SimpleNamespace

from splunklib.binding import HTTPError


def http_error(status, reason="Error"):
    response = SimpleNamespace(status=status, reason=reason, body=io.BytesIO(b""), headers=[])
    return HTTPError(response)


class FakeData:
    def __init__(self, store):
        self.store = store
        self.docs = {}

    def _check(self):
        if not self.store.enabled:
            raise http_error(503, "KV Store is disabled")

    def query(self, **kwargs):
        self._check()
        docs = [json.loads(json.dumps(d)) for d in self.docs.values()]
        if "query" in kwargs:
            q = json.loads(kwargs["query"])
            docs = [d for d in docs if all(d.get(k) == v for k, v in q.items())]
        return docs[: int(kwargs["limit"])] if kwargs.get("limit") else docs

    def query_by_id(self, key):
        self._check()
        if key not in self.docs:
            raise http_error(404, "Not Found")
        return json.loads(json.dumps(self.docs[key]))

    def batch_save(self, *documents):
        self._check()
        for doc in documents:
            self.docs[doc["_key"]] = json.loads(json.dumps(doc))

    def delete_by_id(self, key):
        self._check()
        if key not in self.docs:
            raise http_error(404, "Not Found")
        del self.docs[key]

    def delete(self, query=None):
        self._check()
        q = json.loads(query) if query else {}

        def match(doc, cond):
            if "$and" in cond:
                return all(match(doc, c) for c in cond["$and"])
            for field, want in cond.items():
                if isinstance(want, dict) and "$lt" in want:
                    if not doc.get(field, 0) < want["$lt"]:
                        return False
                elif doc.get(field) != want:
                    return False
            return True

        for key in [k for k, d in self.docs.items() if match(d, q)]:
            del self.docs[key]


class FakeKVService:
    def __init__(self, enabled=True):
        self.enabled = enabled
        self.collections = {}
        self.kvstore = self

    def __getitem__(self, name):
        if name not in self.collections:
            self.collections[name] = SimpleNamespace(data=FakeData(self))
        return self.collections[name]
