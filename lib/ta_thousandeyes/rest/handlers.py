"""The handler classes behind restmap.conf: one per endpoint, each in its own bin/ script."""

from . import api_token, authorization_code, connections, device_flow, settings
from .catalog import CatalogHandler
from .handler import RestHandler
from .regions import RegionsHandler
from .status import InputsStatusHandler
from .streams import ROUTES as STREAM_ROUTES


class ConnectionsHandler(RestHandler):
    """ta_thousandeyes/connections[/<name>[/device|authorize|token|logout]]"""

    routes = connections.ROUTES + device_flow.ROUTES + authorization_code.ROUTES + api_token.ROUTES


class OAuthCallbackHandler(RestHandler):
    """ta_thousandeyes/oauth/callback"""

    routes = authorization_code.CALLBACK_ROUTES


class SettingsHandler(RestHandler):
    """ta_thousandeyes/settings"""

    routes = settings.ROUTES


class StreamsHandler(RestHandler):
    """ta_thousandeyes/streams[/<id>[/delete]]"""

    routes = STREAM_ROUTES


__all__ = [
    "CatalogHandler",
    "ConnectionsHandler",
    "InputsStatusHandler",
    "OAuthCallbackHandler",
    "RegionsHandler",
    "SettingsHandler",
    "StreamsHandler",
]
