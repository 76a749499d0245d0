"""HTTP control API under /_sim/ (any region's host) for tests running in another process.

GET  /_sim/info                       regions_conf, clock, offset file, CA bundle, client id
POST /_sim/clock/advance {"seconds"}  -> {"now"}
GET|POST|DELETE /_sim/faults          list / add {"kind", ...Fault fields} / clear
GET|DELETE /_sim/requests             request log / clear it
GET  /_sim/issued-secrets             every secret issued so far
GET  /_sim/ground-truth?kind=&aid=&start=&end=&test_id=&test_type=&state=
POST /_sim/approve-device {"user_code","email","password","region","confirm","sso"}
POST /_sim/api-tokens {"email"}       -> {"token"}
POST /_sim/clients {"redirect_uris","auth_method","client_name"} -> client
POST /_sim/streams/trust {"ca_bundle_path"}   the CA stream endpoints are verified with
POST /_sim/streams/push               push what is due -> the deliveries made
GET  /_sim/streams                    every stream: id, aid, status, last error, cursor
GET  /_sim/streams/ground-truth?stream_id=&start=&end=   the HEC events of [start, end)
GET  /_sim/streams/delivered?stream_id=                  the events HEC accepted
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .http_types import Request, Response, json_response
from .problems import problem

if TYPE_CHECKING:
    from .simulator import ThousandEyesSimulator


class ControlApi:
    def __init__(self, sim: ThousandEyesSimulator) -> None:
        self.sim = sim

    def __call__(self, req: Request) -> Response:
        try:
            return self._dispatch(req)
        except (KeyError, ValueError, TypeError) as exc:
            return problem(400, f"{type(exc).__name__}: {exc}", req.path)

    def _dispatch(self, req: Request) -> Response:
        sim, route = self.sim, (req.method, req.path)
        if route == ("GET", "/_sim/info"):
            return _ok(
                {
                    "regions": sim.regions_conf(),
                    "now": sim.clock.now(),
                    "offset_file": sim.clock.offset_file,
                    "ca_bundle_path": sim.ca_bundle_path,
                    "default_client_id": sim.default_client_id,
                    "seed": sim.seed,
                }
            )
        if route == ("POST", "/_sim/clock/advance"):
            return _ok({"now": sim.clock.advance(float(req.json()["seconds"]))})
        if route == ("GET", "/_sim/faults"):
            return _ok([f.to_dict() for f in sim.faults.list()])
        if route == ("POST", "/_sim/faults"):
            options = dict(req.json())
            return _ok(sim.faults.add(options.pop("kind"), **options).to_dict())
        if route == ("DELETE", "/_sim/faults"):
            sim.faults.clear()
            return _ok({})
        if route == ("GET", "/_sim/requests"):
            return _ok([r.to_dict() for r in sim.request_log])
        if route == ("DELETE", "/_sim/requests"):
            sim.clear_request_log()
            return _ok({})
        if route == ("GET", "/_sim/issued-secrets"):
            return _ok(sorted(sim.issued_secrets()))
        if route == ("GET", "/_sim/ground-truth"):
            q = req.query
            records = sim.ground_truth(
                q["kind"], q.get("aid"),
                float(q["start"]) if "start" in q else None,
                float(q["end"]) if "end" in q else None,
                q.get("test_id"), q.get("test_type"), q.get("state"), q.get("region", "global"),
            )  # fmt: skip
            return _ok(records)
        if route == ("POST", "/_sim/approve-device"):
            body = req.json()
            html = sim.approve_device_via_pages(
                body["user_code"], body.get("email", sim.demo_email),
                body.get("password", sim.demo_password), body.get("region", req.region),
                bool(body.get("confirm", True)), bool(body.get("sso", False)),
            )  # fmt: skip
            return _ok({"approved": "id='approved'" in html})
        if route == ("POST", "/_sim/api-tokens"):
            return _ok({"token": sim.create_api_token(req.json()["email"])})
        if route == ("POST", "/_sim/clients"):
            body = req.json()
            client = sim.register_client(
                body.get("redirect_uris"), body.get("auth_method", "none"),
                body.get("client_name", "Test client"),
            )  # fmt: skip
            return _ok({"client_id": client.client_id, "client_secret": client.client_secret})
        if req.path.startswith("/_sim/streams"):
            return self._streams(req)
        return problem(404, "Unknown control endpoint", req.path)

    def _streams(self, req: Request) -> Response:
        streams, route, q = self.sim.streams, (req.method, req.path), req.query
        if route == ("POST", "/_sim/streams/trust"):
            streams.trust(req.json().get("ca_bundle_path"))
            return _ok({})
        if route == ("POST", "/_sim/streams/push"):
            return _ok([d.to_dict() for d in streams.push_due()])
        if route == ("GET", "/_sim/streams"):
            return _ok([
                {"id": r.stream_id, "aid": r.aid, "enabled": r.enabled, "status": r.status,
                 "last_error": r.last_error, "cursor_time": r.cursor_time}
                for r in streams.records()
            ])  # fmt: skip
        if route == ("GET", "/_sim/streams/ground-truth"):
            return _ok(streams.ground_truth(q["stream_id"], float(q["start"]), float(q["end"])))
        if route == ("GET", "/_sim/streams/delivered"):
            return _ok(streams.delivered(q["stream_id"]))
        return problem(404, "Unknown control endpoint", req.path)


def _ok(payload: Any) -> Response:
    return json_response(200, payload)
