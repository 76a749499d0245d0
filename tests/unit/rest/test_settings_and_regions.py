import trustme
from ta_thousandeyes import credential_store, run_summaries, settings
from ta_thousandeyes.rest import handlers

S = handlers.SettingsHandler


def test_settings_round_trip_keeps_the_password_server_side(call, tmp_path):
    bundle = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(bundle))
    assert call(S, "GET", "settings").json["settings"]["proxy_password"] == "not set"
    form = [
        ("proxy_enabled", "1"),
        ("proxy_host", "proxy.corp"),
        ("proxy_port", "3128"),
        ("proxy_username", "svc"),
        ("proxy_password", "pr0xy-p@ss-word"),
        ("ca_bundle", str(bundle)),
        ("log_level", "debug"),
        ("client_id", "my-client"),
    ]
    reply = call(S, "POST", "settings", form=form)
    assert reply.status == 200, reply.text
    assert "pr0xy-p@ss-word" not in reply.text
    shown = reply.json["settings"]
    assert shown["proxy_password"] == "set"
    assert shown["log_level"] == "DEBUG" and shown["proxy_port"] == 3128
    record = credential_store.CredentialStore(call.service).read(settings.PROXY_SECRET_KEY)
    assert record == {"password": "pr0xy-p@ss-word"}
    loaded = settings.load_settings(call.service)
    assert loaded.proxy_host == "proxy.corp" and loaded.client_id == "my-client"
    # An empty password keeps the stored one; clearing removes it.
    call(S, "POST", "settings", form=[("proxy_password", "")])
    assert call(S, "GET", "settings").json["settings"]["proxy_password"] == "set"
    call(S, "POST", "settings", form=[("proxy_password_clear", "1")])
    assert call(S, "GET", "settings").json["settings"]["proxy_password"] == "not set"


def test_settings_validation(call):
    for form in (
        [("proxy_port", "99999")],
        [("proxy_port", "abc")],
        [("log_level", "LOUD")],
        [("ca_bundle", "relative/path.pem")],
        [("ca_bundle", "/does/not/exist.pem")],
        [("client_id", "has space")],
        [("proxy_enabled", "maybe")],
        [("proxy_enabled", "1"), ("proxy_host", "")],
        [("proxy_scheme", "socks5")],
        [("password", "x")],
    ):
        reply = call(S, "POST", "settings", form=form)
        assert reply.status == 400, form
        assert reply.json["error"]
    assert settings.load_settings(call.service).log_level == "INFO"


def test_regions_are_keys_and_labels_only(call):
    reply = call(handlers.RegionsHandler, "GET", "regions")
    assert reply.json == {
        "regions": [
            {"key": "global", "label": "Default"},
            {"key": "us1", "label": "US1"},
            {"key": "us2", "label": "US2"},
            {"key": "eu", "label": "EU"},
        ]
    }
    assert "https:" not in reply.text  # no host of any region (default/ta_thousandeyes_regions)


def test_inputs_status_without_checkpoint_collection(call):
    call.write_conf(
        "inputs",
        {
            "thousandeyes_events://ev": {"connection": "prod", "interval": "300"},
            "monitor:///var/log/x": {"index": "main"},
            "thousandeyes_alerts://off": {"connection": "lab", "disabled": "1"},
        },
    )
    reply = call(handlers.InputsStatusHandler, "GET", "inputs-status")
    assert reply.json["inputs"] == [
        {
            "scheme": "thousandeyes_alerts",
            "name": "off",
            "connection": "lab",
            "index": "default",
            "interval": "",
            "disabled": True,
            "last_success": 0,
            "last_run": None,
        },
        {
            "scheme": "thousandeyes_events",
            "name": "ev",
            "connection": "prod",
            "index": "default",
            "interval": "300",
            "disabled": False,
            "last_success": 0,
            "last_run": None,
        },
    ]


def test_inputs_status_reports_the_last_run_summary(call):
    call.write_conf(
        "inputs",
        {"thousandeyes_events://ev": {"connection": "prod"}, "thousandeyes_alerts://new": {}},
    )
    call.insert_documents(
        run_summaries.COLLECTION,
        [
            {
                "_key": "x",
                "stanza": "thousandeyes_events://ev",
                "status": "partial",
                "reason": "1 stream failed",
                "events": 12,
                "api_calls": 4,
                "errors": 1,
                "duration": 1.5,
                "finished": 1780000000.0,
            }
        ],
    )
    reply = call(handlers.InputsStatusHandler, "GET", "inputs-status")
    runs = {item["name"]: item["last_run"] for item in reply.json["inputs"]}
    assert runs["ev"] == {
        "status": "partial",
        "reason": "1 stream failed",
        "events": 12,
        "api_calls": 4,
        "errors": 1,
        "duration": 1.5,
        "finished": 1780000000.0,
    }
    assert runs["new"] is None


def test_proxy_password_writes_take_the_record_lock(call, tmp_path, monkeypatch):
    import threading

    monkeypatch.setenv("SPLUNK_HOME", str(tmp_path))  # where every process finds the locks
    store = credential_store.CredentialStore(call.service)
    for form in ([("proxy_password", "pw-1234567")], [("proxy_password_clear", "1")]):
        before = store.read(settings.PROXY_SECRET_KEY)
        lock = credential_store.record_lock(settings.PROXY_SECRET_KEY)
        lock.acquire()
        replies = []
        worker = threading.Thread(target=lambda: replies.append(call(S, "POST", "settings", form)))
        worker.start()
        worker.join(0.5)
        assert worker.is_alive() and store.read(settings.PROXY_SECRET_KEY) == before
        lock.release()
        worker.join(30)
        assert replies[0].status == 200, replies[0].text
    assert store.read(settings.PROXY_SECRET_KEY) is None


def test_ca_bundle_must_be_pem_certificates_and_refusals_look_alike(call, tmp_path):
    """Issue 15 point 10: any readable file was accepted, so the form could probe for files."""
    ca = trustme.CA()
    good = tmp_path / "bundle.pem"
    good.write_bytes(b"# Issuer: test CA\n" + ca.cert_pem.bytes() + trustme.CA().cert_pem.bytes())
    leaf = ca.issue_cert("splunk.example")
    samples = {
        "key.pem": leaf.private_key_pem.bytes(),
        "cert-and-key.pem": leaf.cert_chain_pems[0].bytes() + leaf.private_key_pem.bytes(),
        "passwd": b"root:x:0:0:root:/root:/bin/bash\n",
        "truncated.pem": ca.cert_pem.bytes()[:200],
        "fake.pem": b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        "empty.pem": b"",
    }
    refused = []
    for name, data in samples.items():
        (tmp_path / name).write_bytes(data)
        refused.append(str(tmp_path / name))
    refused += [str(tmp_path / "missing.pem"), str(tmp_path), "/etc/shadow"]
    errors = set()
    for path in refused:
        reply = call(S, "POST", "settings", form=[("ca_bundle", path)])
        assert reply.status == 400, path
        errors.add(reply.json["error"])
    assert len(errors) == 1  # a missing, unreadable or non-PEM file answers the same
    reply = call(S, "POST", "settings", form=[("ca_bundle", str(good))])
    assert reply.status == 200, reply.text
    assert settings.load_settings(call.service).ca_bundle == str(good)
