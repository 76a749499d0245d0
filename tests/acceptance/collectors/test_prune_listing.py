"""Pruning against a splunkd that pages its listings (30 entries unless count says otherwise):
more inputs of one scheme than one page holds keep every checkpoint; only a deleted input's go.
"""

from ta_thousandeyes.checkpoints import KVStoreCheckpointStore, checkpoint_key, owner_of

from .helpers import CONNECTION, run_ok

SCHEME = "thousandeyes_alerts"
INPUTS = 35  # more than splunkd's default page of 30


def _add_inputs(service, count):
    """inputs.conf stanzas through configs/conf-inputs, as a deployment would bring them."""
    conf = service.confs["inputs"]
    stanzas = []
    for number in range(count):
        stanza = f"{SCHEME}://a{number:02d}"
        conf.create(stanza, connection=CONNECTION, index=f"te_{number:02d}", interval="300")
        stanzas.append(stanza)
    return stanzas


def _plant(store, owners):
    """One checkpoint per owner, saved the way the inputs save theirs."""
    keys = {}
    for owner in owners:
        keys[owner] = checkpoint_key(owner, "planted")
        store.save(keys[owner], owner, {"start": 1.0})
    return keys


def _held(store):
    return set(store.owners())


def test_35_inputs_of_one_scheme_keep_all_35_checkpoints_after_a_prune(service, connected, runner):
    stanzas = _add_inputs(service, INPUTS)
    owners = [owner_of(SCHEME, CONNECTION, f"te_{n:02d}") for n in range(INPUTS)]
    gone = owner_of(SCHEME, CONNECTION, "te_gone")  # an input deleted long ago
    store = KVStoreCheckpointStore(service)
    planted = _plant(store, owners + [gone])

    result = run_ok(runner, stanzas[0])  # the input's own prune of its scheme
    removed = [line for line in result.stderr_lines if "checkpoints of deleted inputs" in line]
    assert len(removed) == 1 and "removed 1 checkpoints" in removed[0], removed
    held = _held(store)
    assert {planted[owner] for owner in owners} <= held
    assert planted[gone] not in held


def test_the_hourly_prune_of_every_scheme_keeps_them_too(service, connected, runner):
    _add_inputs(service, INPUTS)
    owners = [owner_of(SCHEME, CONNECTION, f"te_{n:02d}") for n in range(INPUTS)]
    gone = owner_of(SCHEME, CONNECTION, "te_gone")
    store = KVStoreCheckpointStore(service)
    planted = _plant(store, owners + [gone])
    service.confs["inputs"].create(
        "thousandeyes_token_refresh://hourly", connection=CONNECTION, interval="3600"
    )
    result = run_ok(runner, "thousandeyes_token_refresh://hourly")  # prunes every scheme
    removed = [line for line in result.stderr_lines if "checkpoints of deleted inputs" in line]
    assert len(removed) == 1 and "removed 1 checkpoints" in removed[0], removed
    held = _held(store)
    assert {planted[owner] for owner in owners} <= held
    assert planted[gone] not in held
