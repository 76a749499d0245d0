"""Conformance: EAI listings page, filter and sort as splunkd does (the stand-in alone, no add-on).

Sources (tests/simulators/splunk/listing.py cites them too):
- REST API reference, "REST API reference and user guide", Common GET request parameters
  (docs.splunk.com/Documentation/Splunk/latest/RESTAPI/RESTintro): count default 30, "Set value
  to zero to get all available entries"; offset 0; search=foo any field, search=field%3Dvalue
  one field; sort_dir asc|desc, sort_key name, sort_mode auto|alpha|alpha_case|num.
- splunk-sdk-python client.py: ReadOnlyCollection.null_count = -1 (list()/iter() send
  count=-1 to list everything); Jobs: "0, not -1 as it is on most"; Inputs.list(kind) sends no
  count at all (so splunkd's default of 30 applies).
- Paging beside the entries: `paging {total, perPage, offset}` in JSON, opensearch:totalResults /
  itemsPerPage / startIndex in Atom (every splunkd feed, e.g. the REST API user manual's
  examples).
"""

import re
from collections import OrderedDict

import pytest
import requests

APP = "tiny_app"
EXTRA = 35  # stanzas added to tiny.conf, which already has [main] and [other]


def _get(emulator, path, **params):
    key = emulator.login("admin", "changeme")
    return requests.get(
        f"{emulator.splunkd_uri}/servicesNS/nobody/{APP}/{path}",
        params=params,
        headers={"Authorization": "Splunk " + key},
        verify=emulator.ca_bundle_path,
    )


def _json(emulator, path, **params):
    response = _get(emulator, path, output_mode="json", **params)
    assert response.status_code == 200, response.text
    document = response.json()
    return [entry["name"] for entry in document["entry"]], document["paging"]


@pytest.fixture
def tiny(splunk_emulator):
    conf = splunk_emulator.service("admin", app=APP).confs["tiny"]
    for number in range(EXTRA):
        conf.create(f"s{number:02d}", size=str(number), shape="round" if number % 5 else "square")
    return splunk_emulator


def test_default_page_is_30_entries_sorted_by_name(tiny):
    names, paging = _json(tiny, "configs/conf-tiny")
    everything = sorted(["main", "other"] + [f"s{n:02d}" for n in range(EXTRA)])
    assert names == everything[:30]
    assert paging == {"total": EXTRA + 2, "perPage": 30, "offset": 0}


def test_count_zero_and_minus_one_return_everything(tiny):
    for count in ("0", "-1"):
        names, paging = _json(tiny, "configs/conf-tiny", count=count)
        assert len(names) == EXTRA + 2 == paging["total"], count


def test_offset_and_count_page_through(tiny):
    first, _ = _json(tiny, "configs/conf-tiny", count=10)
    rest, paging = _json(tiny, "configs/conf-tiny", count=30, offset=30)
    assert len(first) == 10
    assert len(rest) == EXTRA + 2 - 30
    assert paging == {"total": EXTRA + 2, "perPage": 30, "offset": 30}
    beyond, paging = _json(tiny, "configs/conf-tiny", offset=100)
    assert beyond == [] and paging["total"] == EXTRA + 2


def test_atom_feed_carries_opensearch_paging(tiny):
    response = _get(tiny, "configs/conf-tiny", count=5, offset=3)
    assert response.status_code == 200
    body = response.text
    assert f"<opensearch:totalResults>{EXTRA + 2}</opensearch:totalResults>" in body
    assert "<opensearch:itemsPerPage>5</opensearch:itemsPerPage>" in body
    assert "<opensearch:startIndex>3</opensearch:startIndex>" in body
    assert len(re.findall("<entry>", body)) == 5


def test_search_any_field_and_one_field(tiny):
    squares, paging = _json(tiny, "configs/conf-tiny", search="square", count=0)
    assert squares == [f"s{n:02d}" for n in range(0, EXTRA, 5)]
    assert paging["total"] == len(squares)
    by_name, _ = _json(tiny, "configs/conf-tiny", search="s1", count=0)
    assert by_name == [f"s{n:02d}" for n in range(10, 20)]  # the name is a field
    one_field, _ = _json(tiny, "configs/conf-tiny", search="color=green", count=0)
    assert one_field == ["other"]
    none, _ = _json(tiny, "configs/conf-tiny", search="shape=green", count=0)
    assert none == []
    everything, _ = _json(tiny, "configs/conf-tiny", search="*", count=0)
    assert len(everything) == EXTRA + 2


def test_sort_dir_and_numeric_sort(tiny):
    names, _ = _json(tiny, "configs/conf-tiny", sort_dir="desc", count=3)
    assert names == ["s34", "s33", "s32"]
    squares, _ = _json(
        tiny, "configs/conf-tiny", search="square", sort_key="size", sort_mode="num", count=0
    )
    assert squares == ["s00", "s05", "s10", "s15", "s20", "s25", "s30"]
    alpha, _ = _json(
        tiny, "configs/conf-tiny", search="square", sort_key="size", sort_mode="alpha", count=0
    )
    assert alpha == ["s00", "s10", "s15", "s20", "s25", "s30", "s05"]  # "5" after "30"
    mixed, _ = _json(tiny, "configs/conf-tiny", search="shape=round", sort_key="size", count=4)
    assert mixed == ["s01", "s02", "s03", "s04"]  # auto: all numeric, so numeric order


def test_splunklib_list_sends_count_minus_one_but_inputs_list_sends_none(tiny):
    """What the pinned SDK gets from a paging splunkd: Collection.list() everything,
    Inputs.list(kind) only the first 30."""
    service = tiny.service("admin", app=APP)
    assert len(service.confs["tiny"].list()) == EXTRA + 2
    manager = _FakeInputs({f"in{n:02d}": {"interval": "60"} for n in range(EXTRA)})
    tiny.set_input_manager(manager)
    assert len(service.inputs.list("tiny_input")) == 30
    assert len(service.inputs.list("tiny_input", count=0)) == EXTRA


class _FakeInputs:
    """The input manager contract data/inputs calls (list only): paging is the endpoint's."""

    def __init__(self, inputs):
        self.inputs = inputs

    def list(self, scheme, app=None):
        return [(name, OrderedDict(params)) for name, params in self.inputs.items()]


def test_data_inputs_page(splunk_emulator):
    names = [f"in{n:02d}" for n in range(EXTRA)]
    splunk_emulator.set_input_manager(_FakeInputs({n: {"interval": "60"} for n in names}))
    listed, paging = _json(splunk_emulator, "data/inputs/tiny_input")
    assert listed == names[:30]
    assert paging == {"total": EXTRA, "perPage": 30, "offset": 0}
    listed, paging = _json(splunk_emulator, "data/inputs/tiny_input", count=0)
    assert listed == names and paging["total"] == EXTRA
    one, _ = _json(splunk_emulator, "data/inputs/tiny_input/in33")
    assert one == ["in33"]  # an entity past the first page is still read by name


def test_storage_passwords_page(splunk_emulator):
    passwords = splunk_emulator.service("admin", app=APP).storage_passwords
    for number in range(EXTRA):
        passwords.create("x", f"user{number:02d}", "realm")
    listed, paging = _json(splunk_emulator, "storage/passwords")
    assert len(listed) == 30 and paging["total"] == EXTRA
    listed, _ = _json(splunk_emulator, "storage/passwords", count=0)
    assert len(listed) == EXTRA
    assert len(passwords.list()) == EXTRA  # splunklib's count=-1


def test_apps_and_collection_configs_page(splunk_emulator):
    apps, paging = _json(splunk_emulator, "apps/local", count=1)
    assert apps == [APP] and paging == {"total": 1, "perPage": 1, "offset": 0}
    configs, paging = _json(splunk_emulator, "storage/collections/config", count=1, offset=5)
    assert configs == [] and paging["total"] == 1 and paging["offset"] == 5
