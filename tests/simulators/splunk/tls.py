"""A throwaway certificate authority and a 127.0.0.1 server certificate for splunkd.

Real splunkd ships a self-signed certificate; clients that verify TLS must be given the CA.
"""

import os
import ssl

import trustme


class LoopbackTLS:
    """Issues one server certificate for 127.0.0.1/localhost and writes the CA bundle to disk."""

    def __init__(self, directory: str) -> None:
        os.makedirs(directory, exist_ok=True)
        self._ca = trustme.CA(organization_name="Splunk stand-in CA")
        self._server_cert = self._ca.issue_cert("127.0.0.1", "localhost")
        self.ca_bundle_path = os.path.join(directory, "cacert.pem")
        self._ca.cert_pem.write_to_path(self.ca_bundle_path)

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        self._server_cert.configure_cert(context)
        return context

    def client_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=self.ca_bundle_path)
        return context
