"""A throwaway CA and a server certificate for 127.0.0.1/localhost (trustme)."""

from __future__ import annotations

import os
import ssl

import trustme


class SimulatorTls:
    def __init__(self, directory: str) -> None:
        self._ca = trustme.CA(organization_name="ThousandEyes Simulator Test CA")
        self._cert = self._ca.issue_cert("127.0.0.1", "localhost")
        self.ca_bundle_path = os.path.join(directory, "te-sim-ca.pem")
        self._ca.cert_pem.write_to_path(self.ca_bundle_path)

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        self._cert.configure_cert(context)
        return context
