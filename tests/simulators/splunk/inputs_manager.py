"""`data/inputs/<scheme>` for the splunkd stand-in: list, create, edit, delete, enable/disable.

splunkd checks a new or edited input against the scheme (arguments it does not know are
refused, required ones must be there, numbers and booleans must parse), then runs the
script's `--validate-arguments` when the scheme asks for external validation, and only then
writes `[<scheme>://<name>]` to the app's local/inputs.conf. A change restarts the input.
Checkpoints under checkpoint_dir are the script's own: splunkd leaves them when an input is
deleted.
"""

from collections import OrderedDict
from typing import List, Mapping, Optional, Tuple

from tests.simulators.splunk import modinput_config as config
from tests.simulators.splunk.conffile import AppConf
from tests.simulators.splunk.modinput_runner import ModularInputRunner
from tests.simulators.splunk.modinput_schedule import parse_interval
from tests.simulators.splunk.scheme import COMMON_INPUT_SETTINGS, Scheme, SchemeError

BOOLEAN_WORDS = ("1", "0", "true", "false", "t", "f", "yes", "no", "y", "n")


class InputsManager:
    def __init__(self, app_dir: str, app_name: str, runner: ModularInputRunner) -> None:
        self.app_dir = app_dir
        self.app_name = app_name
        self.runner = runner
        self.conf = AppConf(app_dir, "inputs")

    # --- the contract the splunkd stand-in calls ------------------------------------------
    def list(self, scheme: str, app: Optional[str] = None) -> "List[Tuple[str, OrderedDict]]":
        """(name, effective params) for every configured input of the scheme."""
        self._scheme(scheme)
        listed = []
        owners = config.defining_apps(self.app_dir)
        for stanza, params in config.input_stanzas(self.app_dir, scheme).items():
            content = OrderedDict(params)
            # splunkd reports the app whose inputs.conf defines the stanza (it may be another)
            content["eai:appName"] = owners.get(stanza, self.app_name)
            listed.append((stanza.partition("://")[2], content))
        return listed

    def create(
        self, scheme: str, name: str, params: "Mapping[str, str]", app: Optional[str] = None
    ) -> None:
        definition = self._scheme(scheme)
        stanza = _stanza(scheme, name)
        if stanza in config.input_stanzas(self.app_dir, scheme):
            raise ValueError(f"An input named {stanza} already exists")
        submitted = _as_strings(params)
        self._check(definition, submitted, creating=True)
        effective = config.scheme_defaults(self.app_dir, scheme)
        effective.update(submitted)
        self._validate_externally(definition, name, effective)
        self.conf.update(stanza, submitted)
        self.runner.restart_input(stanza)

    def update(
        self, scheme: str, name: str, params: "Mapping[str, str]", app: Optional[str] = None
    ) -> None:
        definition = self._scheme(scheme)
        stanza = _stanza(scheme, name)
        current = config.input_stanzas(self.app_dir, scheme).get(stanza)
        if current is None:
            raise KeyError(stanza)
        submitted = _as_strings(params)
        self._check(definition, submitted, creating=False)
        effective = OrderedDict(current)
        effective.update(submitted)
        self._validate_externally(definition, name, effective)
        self.conf.update(stanza, submitted)
        self.runner.restart_input(stanza)

    def delete(self, scheme: str, name: str, app: Optional[str] = None) -> None:
        self._scheme(scheme)
        stanza = _stanza(scheme, name)
        if stanza not in config.input_stanzas(self.app_dir, scheme):
            raise KeyError(stanza)
        if not self.conf.delete(stanza):
            raise ValueError(f"{stanza} is defined in default/inputs.conf and cannot be deleted")
        self.runner.restart_input(stanza)

    def set_disabled(
        self, scheme: str, name: str, disabled: bool, app: Optional[str] = None
    ) -> None:
        self._scheme(scheme)
        stanza = _stanza(scheme, name)
        if stanza not in config.input_stanzas(self.app_dir, scheme):
            raise KeyError(stanza)
        self.conf.update(stanza, {"disabled": "1" if disabled else "0"})
        self.runner.restart_input(stanza)

    # --- checks --------------------------------------------------------------------------
    def _scheme(self, scheme: str) -> Scheme:
        try:
            return self.runner.scheme(scheme)
        except SchemeError as error:
            raise KeyError(str(error))

    def _check(self, scheme: Scheme, params: "Mapping[str, str]", creating: bool) -> None:
        for key in params:
            if key not in scheme.arguments and key not in COMMON_INPUT_SETTINGS:
                raise ValueError(f'Argument "{key}" is not supported by this handler.')
        for argument in scheme.arguments.values():
            required = argument.required_on_create if creating else argument.required_on_edit
            if required and not params.get(argument.name, "").strip():
                raise ValueError(f'Missing required argument: "{argument.name}"')
        for key, value in params.items():
            argument = scheme.arguments.get(key)
            if argument is None or value == "":
                continue
            if argument.data_type == "number" and not _is_number(value):
                raise ValueError(f'Invalid value for "{key}": {value!r} is not a number')
            if argument.data_type == "boolean" and value.strip().lower() not in BOOLEAN_WORDS:
                raise ValueError(f'Invalid value for "{key}": {value!r} is not a boolean')
        if "interval" in params:
            try:
                parse_interval(params["interval"])
            except ValueError as error:
                raise ValueError(f'Invalid value for "interval": {error}')

    def _validate_externally(self, scheme: Scheme, name: str, params: "Mapping[str, str]") -> None:
        if not scheme.use_external_validation:
            return
        resolved = OrderedDict(params)
        resolved["host"] = config.resolve_host(params, self.runner.host.server_host)
        self.runner.validate_arguments(scheme.name, name, resolved)


def _stanza(scheme: str, name: str) -> str:
    if not name or "/" in name or name != name.strip():
        raise ValueError(f"invalid input name {name!r}")
    return f"{scheme}://{name}"


def _as_strings(params: "Mapping[str, object]") -> "OrderedDict[str, str]":
    result = OrderedDict()  # type: OrderedDict
    for key, value in params.items():
        if isinstance(value, bool):
            value = "1" if value else "0"
        result[key] = "" if value is None else str(value)
    return result


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True
