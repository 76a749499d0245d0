"""Persistent REST handlers behind the setup page (restmap.conf ``[script:*]``, scripttype persist).

``base`` turns splunkd's request JSON into a ``Request`` and every outcome into
``{status, payload, headers}`` with a JSON body; each other module serves one resource.
Secrets never leave: answers say "set"/"not set", and error text passes through redaction.
"""
