"""OAuth 2.0 for ThousandEyes: oauthlib prepares and parses, our session sends.

Protocol modules (device, pkce, refresh, api_token, discovery, registration, revocation,
identity) are pure HTTP; ``flows`` ties them to the connection model and credential store.
"""
