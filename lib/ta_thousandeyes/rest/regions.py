"""GET regions: the keys and labels of the configured regions (never their host names)."""

from typing import Dict

from .. import regions
from . import validation
from .base import Request, json_reply, route
from .handler import RestHandler


def get_regions(context: object, request: Request) -> Dict:
    validation.only(request)
    choices = regions.region_choices(context.service)  # type: ignore[attr-defined]
    return json_reply(200, {"regions": [dict(choice) for choice in choices]})


class RegionsHandler(RestHandler):
    routes = (route("GET", "regions", get_regions),)
