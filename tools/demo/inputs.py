"""Create one input per data type through splunkd's data/inputs/<scheme> REST (what Settings >
Data inputs, or an admin's inputs.conf edit, does), with the parameters each scheme declares.
"""

from typing import Any, Dict, List, Mapping

from .console import DemoFailure

# The schemes the add-on ships, in the order the report lists them.
DATA_SCHEMES = (
    "thousandeyes_test_results",
    "thousandeyes_alerts",
    "thousandeyes_events",
    "thousandeyes_activity",
    "thousandeyes_inventory",
)
KEEP_ALIVE_SCHEME = "thousandeyes_token_refresh"
SLOW_SCHEMES = ("thousandeyes_inventory", KEEP_ALIVE_SCHEME)  # hourly is plenty for these


def input_params(
    scheme: Any, connection: str, index: str, interval: int, start_from: str
) -> Dict[str, str]:
    """The settings an admin would give this scheme's input, limited to what it declares."""
    wanted = {
        "connection": connection,
        "account_groups": "*",
        "start_from": start_from,
    }
    params = {name: value for name, value in wanted.items() if name in scheme.arguments}
    params["interval"] = str(max(interval, 3600) if scheme.name in SLOW_SCHEMES else interval)
    if scheme.name != KEEP_ALIVE_SCHEME:
        params["index"] = index
    return params


def create_inputs(
    service: Any,
    schemes: Mapping[str, Any],
    name: str,
    connection: str,
    index: str,
    interval: int,
    start_from: str,
) -> List[str]:
    """Create `<scheme>://<name>` for every scheme the package declares; returns the stanzas."""
    missing = [scheme for scheme in DATA_SCHEMES if scheme not in schemes]
    if missing:
        raise DemoFailure(
            "the package lacks modular input schemes for: {} (declared: {})".format(
                ", ".join(missing), ", ".join(sorted(schemes)) or "none"
            )
        )
    from splunklib.binding import HTTPError

    ordered = list(DATA_SCHEMES) + sorted(set(schemes) - set(DATA_SCHEMES))
    created = []
    for scheme_name in ordered:
        params = input_params(schemes[scheme_name], connection, index, interval, start_from)
        try:
            service.inputs.create(name, scheme_name, **params)
        except HTTPError as error:
            raise DemoFailure(f"creating {scheme_name}://{name} was refused: {_message(error)}")
        created.append(f"{scheme_name}://{name}")
    return created


def _message(error: Exception) -> str:
    return " ".join(str(error).split())[:400]
