"""Scheme introspection and validation, as splunkd reads `--scheme` and inputs.conf.spec."""

import pytest

from tests.runner_tests.conftest import PYTHON_VERSIONS, splunk_python
from tests.simulators.splunk.modinput_config import child_env
from tests.simulators.splunk.scheme import (
    SchemeError,
    check_against_spec,
    introspect,
    load_schemes,
    parse_scheme_xml,
    read_spec,
)

GOOD = """<scheme><title>T</title><description>D</description>
<use_external_validation>true</use_external_validation>
<use_single_instance>false</use_single_instance><streaming_mode>xml</streaming_mode>
<endpoint><args>
<arg name="count"><title>Count</title><data_type>number</data_type>
<required_on_edit>false</required_on_edit><required_on_create>true</required_on_create></arg>
<arg name="label"><data_type>string</data_type><required_on_create>false</required_on_create></arg>
</args></endpoint></scheme>"""


def env(tmp_path):
    return child_env(str(tmp_path), "h", None)


def test_good_scheme_is_parsed_with_every_field():
    scheme = parse_scheme_xml("x", GOOD)
    assert scheme.title == "T"
    assert scheme.use_external_validation is True
    assert scheme.use_single_instance is False
    assert scheme.streaming_mode == "xml"
    assert list(scheme.arguments) == ["count", "label"]
    assert scheme.arguments["count"].data_type == "number"
    assert scheme.arguments["count"].required_on_create is True
    assert scheme.arguments["label"].required_on_create is False


def test_documented_defaults_apply_when_elements_are_absent():
    scheme = parse_scheme_xml("x", "<scheme><title>T</title></scheme>")
    assert scheme.streaming_mode == "simple"
    assert scheme.use_external_validation is False
    assert scheme.use_single_instance is False
    assert scheme.arguments == {}


@pytest.mark.parametrize(
    "text, complaint",
    [
        ("<scheme><title>T</title>", "malformed XML"),
        ("not xml at all", "malformed XML"),
        ("<schema><title>T</title></schema>", "root element"),
        ("<scheme><description>no title</description></scheme>", "missing <title>"),
        ("<scheme><title> </title></scheme>", "missing <title>"),
        (
            "<scheme><title>T</title><streaming_mode>json</streaming_mode></scheme>",
            "streaming_mode",
        ),
        (
            "<scheme><title>T</title><endpoint><args><arg name='a'><data_type>integer</data_type>"
            "</arg></args></endpoint></scheme>",
            "unknown data_type",
        ),
        (
            "<scheme><title>T</title><endpoint><args><arg><data_type>string</data_type>"
            "</arg></args></endpoint></scheme>",
            "without a name",
        ),
        (
            "<scheme><title>T</title><use_single_instance>maybe</use_single_instance></scheme>",
            "not a boolean",
        ),
        ("<scheme><title>T</title><colour>red</colour></scheme>", "unknown elements"),
    ],
)
def test_bad_schemes_are_refused(text, complaint):
    with pytest.raises(SchemeError, match=complaint):
        parse_scheme_xml("x", text)


TINY_ARGUMENTS = ["events", "prefix", "chunked", "delay", "fail", "pad", "pad_char", "newlines",
                  "no_time", "on_sigterm"]  # fmt: skip


def test_spec_lists_the_tiny_scheme_and_its_parameters(app_dir):
    assert read_spec(str(app_dir)) == {"tiny_input": TINY_ARGUMENTS}


@pytest.mark.parametrize("version", PYTHON_VERSIONS)
def test_tiny_input_scheme_from_the_script_matches_its_spec(app_dir, tmp_path, version):
    schemes = load_schemes(str(app_dir), splunk_python(version), env(tmp_path))
    scheme = schemes["tiny_input"]
    assert scheme.title == "Tiny input"
    assert scheme.streaming_mode == "xml"
    assert scheme.use_external_validation is True
    assert set(scheme.arguments) == set(TINY_ARGUMENTS)


def test_scheme_argument_missing_from_spec_is_an_error(app_dir, tmp_path):
    spec = app_dir / "README" / "inputs.conf.spec"
    spec.write_text(spec.read_text().replace("fail = <boolean>", "# fail removed"))
    with pytest.raises(SchemeError, match=r"in the scheme but not in inputs.conf.spec: \['fail'\]"):
        load_schemes(str(app_dir), splunk_python("3.13"), env(tmp_path))


def test_spec_parameter_missing_from_scheme_is_an_error(app_dir, tmp_path):
    spec = app_dir / "README" / "inputs.conf.spec"
    spec.write_text(spec.read_text() + "\ncolour = <string>\n")
    with pytest.raises(
        SchemeError, match=r"in inputs.conf.spec but not in the scheme: \['colour'\]"
    ):
        load_schemes(str(app_dir), splunk_python("3.13"), env(tmp_path))


def test_common_input_settings_in_the_spec_are_not_a_mismatch():
    scheme = parse_scheme_xml("x", GOOD)
    check_against_spec(scheme, ["count", "label", "interval", "index", "sourcetype"])


def test_a_script_that_fails_on_scheme_is_refused(app_dir, tmp_path):
    (app_dir / "bin" / "tiny_input.py").write_text("import sys\nsys.exit(3)\n")
    with pytest.raises(SchemeError, match="exited 3"):
        introspect(str(app_dir), "tiny_input", splunk_python("3.13"), env(tmp_path))


def test_a_spec_scheme_without_a_script_is_refused(app_dir, tmp_path):
    (app_dir / "bin" / "tiny_input.py").unlink()
    with pytest.raises(SchemeError, match="no script"):
        load_schemes(str(app_dir), splunk_python("3.13"), env(tmp_path))
