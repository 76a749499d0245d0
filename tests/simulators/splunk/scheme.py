"""Modular input introspection: `bin/<scheme>.py --scheme` and the spec file, as splunkd reads them.

Splunk's "Define a scheme for introspection" and "Modular inputs spec file" docs: the scheme is
an XML document rooted at <scheme> with a required <title>, optional <description>,
<use_external_validation> (default false), <use_single_instance> (default false),
<streaming_mode> (`simple`, the default, or `xml`) and <endpoint><args><arg name=..> with
<title>, <description>, <validation>, <data_type> (string, number, boolean; default string),
<required_on_edit> (default false) and <required_on_create> (default true). The app's
README/inputs.conf.spec names each scheme as `[<scheme>://<name>]` with its parameters.
Splunk only warns when the spec and the scheme disagree; this stand-in makes it an error so
tests see it.
"""

import os
import re
import subprocess
import xml.etree.ElementTree as ET
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence

from tests.simulators.splunk import conffile

DATA_TYPES = ("string", "number", "boolean")
STREAMING_MODES = ("simple", "xml")
SCHEME_TAGS = {
    "title",
    "description",
    "use_external_validation",
    "use_single_instance",
    "streaming_mode",
    "endpoint",
}
ARG_TAGS = {
    "title",
    "description",
    "validation",
    "data_type",
    "required_on_edit",
    "required_on_create",
}

# Settings every input stanza may carry (inputs.conf.spec, "GLOBAL SETTINGS" and the
# modular input stanza); a spec may list them without the scheme declaring them.
COMMON_INPUT_SETTINGS = {
    "host",
    "index",
    "source",
    "sourcetype",
    "queue",
    "_TCP_ROUTING",
    "_SYSLOG_ROUTING",
    "_INDEX_AND_FORWARD_ROUTING",
    "_meta",
    "interval",
    "disabled",
    "start_by_shell",
    "python.version",
    "python.required",
    "run_introspection",
    "passAuth",
}

_SPEC_STANZA = re.compile(r"^([A-Za-z0-9_\-.]+)://<?[^>\]]*>?$")


class SchemeError(ValueError):
    """The scheme or spec is one splunkd would refuse (or warn about)."""


@dataclass
class SchemeArgument:
    name: str
    title: Optional[str] = None
    description: Optional[str] = None
    validation: Optional[str] = None
    data_type: str = "string"
    required_on_edit: bool = False
    required_on_create: bool = True


@dataclass
class Scheme:
    name: str
    title: str
    description: Optional[str] = None
    use_external_validation: bool = False
    use_single_instance: bool = False
    streaming_mode: str = "simple"
    arguments: "OrderedDict[str, SchemeArgument]" = field(default_factory=OrderedDict)


def parse_bool(text: Optional[str], where: str, default: bool) -> bool:
    if text is None or not text.strip():
        return default
    value = text.strip().lower()
    if value in ("true", "1", "t", "yes", "y"):
        return True
    if value in ("false", "0", "f", "no", "n"):
        return False
    raise SchemeError(f"{where}: not a boolean: {text!r}")


def parse_scheme_xml(name: str, text: str) -> Scheme:
    """Parse and validate the scheme XML printed by `<script> --scheme`."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as error:
        raise SchemeError(f"scheme {name}: malformed XML: {error}")
    if root.tag != "scheme":
        raise SchemeError(f"scheme {name}: root element is <{root.tag}>, not <scheme>")
    unknown = {child.tag for child in root} - SCHEME_TAGS
    if unknown:
        raise SchemeError(f"scheme {name}: unknown elements {sorted(unknown)}")
    title = (root.findtext("title") or "").strip()
    if not title:
        raise SchemeError(f"scheme {name}: missing <title>")
    mode = (root.findtext("streaming_mode") or "simple").strip().lower()
    if mode not in STREAMING_MODES:
        raise SchemeError(f"scheme {name}: unknown streaming_mode {mode!r}")
    scheme = Scheme(
        name=name,
        title=title,
        description=root.findtext("description"),
        use_external_validation=parse_bool(
            root.findtext("use_external_validation"), name + " use_external_validation", False
        ),
        use_single_instance=parse_bool(
            root.findtext("use_single_instance"), name + " use_single_instance", False
        ),
        streaming_mode=mode,
    )
    endpoint = root.find("endpoint")
    if endpoint is not None:
        args = endpoint.find("args")
        if args is None:
            raise SchemeError(f"scheme {name}: <endpoint> without <args>")
        for arg in args:
            parsed = _parse_argument(name, arg)
            if parsed.name in scheme.arguments:
                raise SchemeError(f"scheme {name}: argument {parsed.name} twice")
            scheme.arguments[parsed.name] = parsed
    return scheme


def _parse_argument(scheme: str, arg: ET.Element) -> SchemeArgument:
    if arg.tag != "arg":
        raise SchemeError(f"scheme {scheme}: <args> holds <{arg.tag}>, not <arg>")
    name = (arg.get("name") or "").strip()
    if not name:
        raise SchemeError(f"scheme {scheme}: <arg> without a name")
    unknown = {child.tag for child in arg} - ARG_TAGS
    if unknown:
        raise SchemeError(f"scheme {scheme} arg {name}: unknown elements {unknown}")
    data_type = (arg.findtext("data_type") or "string").strip().lower()
    if data_type not in DATA_TYPES:
        raise SchemeError(f"scheme {scheme} arg {name}: unknown data_type {data_type!r}")
    where = f"scheme {scheme} arg {name}"
    return SchemeArgument(
        name=name,
        title=arg.findtext("title"),
        description=arg.findtext("description"),
        validation=arg.findtext("validation"),
        data_type=data_type,
        required_on_edit=parse_bool(arg.findtext("required_on_edit"), where, False),
        required_on_create=parse_bool(arg.findtext("required_on_create"), where, True),
    )


def read_spec(app_dir: str) -> "OrderedDict[str, List[str]]":
    """Schemes named in README/inputs.conf.spec, each with the parameters the spec lists."""
    path = os.path.join(app_dir, "README", "inputs.conf.spec")
    schemes = OrderedDict()  # type: OrderedDict
    for stanza, settings in conffile.read_file(path).items():
        match = _SPEC_STANZA.match(stanza)
        if match is None:
            continue  # [default] or a plain stanza: not a modular input
        schemes[match.group(1)] = list(settings.keys())
    return schemes


def check_against_spec(scheme: Scheme, spec_params: Sequence[str]) -> None:
    """Every scheme argument must be in the spec and every spec parameter in the scheme."""
    declared = set(scheme.arguments)
    listed = set(spec_params) - COMMON_INPUT_SETTINGS
    only_scheme = sorted(declared - set(spec_params))
    only_spec = sorted(listed - declared)
    problems = []
    if only_scheme:
        problems.append(f"in the scheme but not in inputs.conf.spec: {only_scheme}")
    if only_spec:
        problems.append(f"in inputs.conf.spec but not in the scheme: {only_spec}")
    if problems:
        raise SchemeError("scheme {}: {}".format(scheme.name, "; ".join(problems)))


def script_path(app_dir: str, scheme: str) -> str:
    return os.path.join(app_dir, "bin", scheme + ".py")


def introspect(
    app_dir: str,
    scheme: str,
    python: Sequence[str],
    env: Mapping[str, str],
    timeout: float = 60.0,
) -> Scheme:
    """Run `<python> bin/<scheme>.py --scheme` (cwd bin/) and parse what it prints."""
    script = script_path(app_dir, scheme)
    if not os.path.isfile(script):
        raise SchemeError(f"scheme {scheme}: no script {script}")
    completed = subprocess.run(
        list(python) + [script, "--scheme"],
        cwd=os.path.dirname(script),
        env=dict(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=timeout,
    )
    if completed.returncode != 0:
        raise SchemeError(
            "scheme {}: --scheme exited {}: {}".format(
                scheme, completed.returncode, completed.stderr.decode("utf-8", "replace")[-2000:]
            )
        )
    return parse_scheme_xml(scheme, completed.stdout.decode("utf-8"))


def load_schemes(
    app_dir: str, python: Sequence[str], env: Mapping[str, str], timeout: float = 60.0
) -> "Dict[str, Scheme]":
    """Introspect every scheme the spec names and check each against the spec."""
    schemes = OrderedDict()  # type: OrderedDict
    for name, params in read_spec(app_dir).items():
        scheme = introspect(app_dir, name, python, env, timeout)
        check_against_spec(scheme, params)
        schemes[name] = scheme
    return schemes
