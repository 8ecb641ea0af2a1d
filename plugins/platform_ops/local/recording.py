"""Read the local AWS's request log (moto's recorder, ``MOTO_ENABLE_RECORDING``): one reader.

Each line of the recording is one HTTP request as moto received it. What the tests and benches
ask of it: the API action (the ``X-Amz-Target`` suffix for JSON protocols, the form's ``Action``
for query protocols, nothing for REST such as S3), the method, the URL and the body as text.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    target: str  # the X-Amz-Target header, "" when there is none
    action: str  # "" for REST calls
    body: str


def read_requests(path: str | Path) -> list[Request]:
    """Every request in the recording at ``path``, in order (none when it does not exist yet)."""
    path = Path(path)
    out = []
    for line in path.read_text().splitlines() if path.exists() else []:
        entry = json.loads(line)
        headers = {k.lower(): v for k, v in (entry.get("headers") or {}).items()}
        body = entry.get("body") or ""
        if entry.get("body_encoded"):
            body = base64.b64decode(body).decode("utf-8", "replace")
        target = headers.get("x-amz-target", "")
        action = target.rsplit(".", 1)[-1] or (parse_qs(body).get("Action") or [""])[0]
        out.append(Request(entry.get("method") or "", entry.get("url") or "", target, action, body))
    return out
