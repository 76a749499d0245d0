"""The built package, with nothing but its own lib/, on both of Splunk's Python versions."""

import configparser
import json
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.pythons import (
    BUILD_LIB,
    ROOT,
    bare_python,
    require_build,
    runtime_requirement_names,
)
from tests.simulators.splunk.rest_host import HandlerProcess, load_endpoints

VERSIONS = ["3.9", "3.13"]

# Distribution name -> module it provides, where they differ.
IMPORT_NAMES = {
    "splunk-sdk": "splunklib",
    "requests-oauthlib": "requests_oauthlib",
    "charset-normalizer": "charset_normalizer",
}

IMPORT_EVERYTHING = r"""
import importlib, pkgutil, sys
sys.path.insert(0, sys.argv[1])
import ta_thousandeyes
names = [m.name for m in pkgutil.walk_packages(ta_thousandeyes.__path__, "ta_thousandeyes.")]
for name in ["ta_thousandeyes"] + names + sys.argv[2:]:
    module = importlib.import_module(name)
    origin = getattr(module, "__file__", "") or ""
    if not origin.startswith(sys.argv[1]):
        raise SystemExit("{} imported from {}, not the package".format(name, origin))
print(len(names) + 1 + len(sys.argv[2:]))
"""


def _run(python: str, args: list, cwd: Path = ROOT, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [python, "-I"] + args,
        cwd=str(cwd),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=1100,  # only against a hung child: a loaded machine is slow, not wrong
    )


def _schemes(app: Path) -> list:
    spec = app / "README" / "inputs.conf.spec"
    if not spec.exists():
        return []
    names = []
    for line in spec.read_text().splitlines():
        line = line.strip()
        if line.startswith("[") and "://" in line:
            names.append(line[1:].split("://", 1)[0])
    return sorted(set(names))


@pytest.mark.parametrize("version", VERSIONS)
def test_every_module_and_vendored_package_imports_from_the_package(version):
    app = require_build()
    python = bare_python(version)
    vendored = [IMPORT_NAMES.get(name, name) for name in runtime_requirement_names()]
    result = _run(python, ["-c", IMPORT_EVERYTHING, str(app / "lib")] + vendored)
    assert result.returncode == 0, result.stderr[-3000:]
    assert int(result.stdout.strip()) >= 1 + len(vendored)


USED_BY_THE_ADD_ON = r"""
import importlib, pkgutil, sys
sys.path.insert(0, sys.argv[1])
import ta_thousandeyes
for m in pkgutil.walk_packages(ta_thousandeyes.__path__, "ta_thousandeyes."):
    importlib.import_module(m.name)
print(" ".join(name for name in sys.argv[2:] if name not in sys.modules))
"""


@pytest.mark.parametrize("version", VERSIONS)
def test_every_vendored_package_is_used_by_the_add_on(version):
    """Importing the add-on's own modules loads every bundled distribution: nothing is
    shipped that no code of ours (or of a package we use) imports (docs/design.md, bundle)."""
    app = require_build()
    python = bare_python(version)
    vendored = [IMPORT_NAMES.get(name, name) for name in runtime_requirement_names()]
    result = _run(python, ["-c", USED_BY_THE_ADD_ON, str(app / "lib")] + vendored)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == []


@pytest.mark.parametrize("version", VERSIONS)
def test_every_modular_input_prints_a_valid_scheme(version):
    app = require_build()
    python = bare_python(version)
    schemes = _schemes(app)
    assert schemes, "README/inputs.conf.spec declares no modular input"
    for scheme in schemes:
        script = app / "bin" / (scheme + ".py")
        assert script.exists(), f"inputs.conf.spec names {scheme} but bin/ has no script"
        result = _run(python, [str(script), "--scheme"], cwd=app / "bin")
        assert result.returncode == 0, f"{scheme}: {result.stderr[-2000:]}"
        root = ET.fromstring(result.stdout)
        assert root.tag == "scheme"
        assert root.findtext("title")


@pytest.mark.parametrize("version", VERSIONS)
def test_every_rest_handler_loads_as_splunks_driver_loads_it(version, tmp_path):
    """Each restmap.conf persist stanza's script, run by the stand-in's copy of Splunk's driver
    (one handler class per script, a new instance per request, bytes in), answers a request
    that has no session with the add-on's own JSON 401, not a load failure."""
    app = require_build()
    python = bare_python(version)
    endpoints = load_endpoints({"TA-thousandeyes": str(app)})
    # Every REST entry point the package ships has its stanza, and no stanza lacks one.
    scripts = {e.conf.get("script", "").strip() for e in endpoints}
    assert scripts == {p.name for p in (app / "bin").glob("ta_thousandeyes_rest_*.py")}
    log_lines = []
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "SPLUNK_HOME": str(tmp_path)}
    for endpoint in endpoints:
        process = HandlerProcess(endpoint, python, env, log_lines.append)
        request = {"method": "GET", "rest_path": endpoint.match, "query": []}
        try:
            for _ in range(2):  # the second request reuses the process, with a new instance
                answer = process.call(json.dumps(request))
                assert answer is not None, (endpoint.stanza, log_lines)
                reply = json.loads(answer)
                assert reply["status"] == 401, (endpoint.stanza, reply)
                assert reply["headers"]["Cache-Control"] == "no-store"
            assert process.starts == 1, log_lines
        finally:
            process.stop()


@pytest.mark.timeout(1200)  # the whole unit suite on bare Python, however loaded the machine
@pytest.mark.parametrize("version", VERSIONS)
def test_unit_tests_pass_with_only_the_package(version):
    require_build()
    python = bare_python(version)
    result = _run(
        python,
        [
            "-m",
            "pytest",
            "tests/unit",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            f"pythonpath={BUILD_LIB} .",
        ],
    )
    tail = result.stdout[-3000:] + result.stderr[-2000:]
    assert result.returncode == 0, tail
    assert " passed" in result.stdout, tail


def test_python_stanzas_declare_both_interpreters():
    """Every Python stanza carries python.version and python.required = 3.9, 3.13."""
    checked = 0
    for conf_name in ("inputs.conf", "restmap.conf", "alert_actions.conf"):
        path = ROOT / "default" / conf_name
        if not path.exists():
            continue
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        parser.read(path)
        for section in parser.sections():
            is_python = (
                section.startswith("script:")
                or (conf_name == "inputs.conf" and "://" not in section)
                or (conf_name == "alert_actions.conf" and parser[section].get("is_custom") == "1")
            )
            if not is_python:
                continue
            checked += 1
            assert parser[section].get("python.version") == "python3", section
            assert parser[section].get("python.required") == "3.9, 3.13", section
    assert checked >= 8, "expected the six modular inputs, the REST handlers, the alert action"
