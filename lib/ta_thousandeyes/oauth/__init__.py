"""OAuth 2.0 for ThousandEyes: oauthlib prepares and parses, our session sends.

Protocol modules only (device, pkce, refresh, api_token, discovery, registration, revocation,
identity): pure HTTP, no storage. ``authorization`` (one level up) ties them to the
connection model and credential store, so this package imports nothing of the add-on above it.
"""
