"""Search every file Splunk holds (logs, confs, index, KV store, checkpoints) for every secret
ThousandEyes issued: tokens, codes, API tokens. The password store is encrypted, so a clear
secret anywhere under SPLUNK_HOME is a leak; so is any secret the simulator's request log saw
arrive at a host of another region than the connection's."""

import os
from dataclasses import dataclass
from typing import Iterable, List

MIN_SECRET_LENGTH = 8  # shorter values (none are issued) would match by chance


@dataclass
class LeakScan:
    secrets: int
    files: int
    bytes: int
    hits: List[str]  # "<file>: secret #n (<length> characters)"; never the secret itself


def scan_for_secrets(
    root: str, secrets: Iterable[str], extra_texts: Iterable[str] = ()
) -> LeakScan:
    wanted = sorted({s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH})
    encoded = [(number, secret.encode("utf-8")) for number, secret in enumerate(wanted, 1)]
    hits = []
    files = size = 0
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except OSError:
                continue
            files += 1
            size += len(data)
            for number, secret in encoded:
                if secret in data:
                    hits.append(
                        f"{os.path.relpath(path, root)}: secret #{number} ({_hint(secret)})"
                    )
    for label, text in enumerate(extra_texts, 1):
        data = text.encode("utf-8")
        for number, secret in encoded:
            if secret in data:
                hits.append(f"demo output #{label}: secret #{number} ({_hint(secret)})")
    return LeakScan(len(wanted), files, size, hits)


def _hint(secret: bytes) -> str:
    return f"{len(secret)} characters"


def request_log_hits(records: Iterable) -> List[str]:
    """One hit per simulator request that carried secrets to a host the region does not name
    (``ThousandEyesSimulator.secrets_sent_outside``); the path only, never a secret."""
    return [
        f"simulator request log: {r.method} {r.path[:80]} on the {r.region} host "
        f"carried {r.secrets} secret(s)"
        for r in records
    ]
