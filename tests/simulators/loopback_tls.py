"""A throwaway certificate authority and a 127.0.0.1/localhost server certificate (trustme).

Both stand-ins serve HTTPS with one: real splunkd ships a self-signed certificate and the real
ThousandEyes a public one, so clients that verify TLS are handed the CA bundle written here.
"""

import os
import ssl

import trustme


class LoopbackTLS:
    """Issues one server certificate and writes the CA bundle to ``directory/bundle_name``."""

    def __init__(self, directory: str, organization: str, bundle_name: str) -> None:
        os.makedirs(directory, exist_ok=True)
        self._ca = trustme.CA(organization_name=organization)
        self._server_cert = self._ca.issue_cert("127.0.0.1", "localhost")
        self.ca_bundle_path = os.path.join(directory, bundle_name)
        self._ca.cert_pem.write_to_path(self.ca_bundle_path)

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        self._server_cert.configure_cert(context)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_bundle_path)
