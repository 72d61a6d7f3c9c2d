"""A local static file server shaped like raw.githubusercontent.com, on 127.0.0.1, for SkyPilot catalogs.

`files` maps a URL path (`/catalogs/v8/lambda/vms.csv`) to its bytes; each answer carries a strong ETag (the
body's SHA-256) and a fixed Last-Modified, and an If-None-Match that matches gets a 304. `modes` picks a
path's misbehaviour: "error" (HTTP 500), "sleep" (answers after `sleep_seconds`), "short" (announces more
bytes than it sends, then closes), "no-date" (no Last-Modified header). Every request's headers are
recorded in `requests` as (path, headers).
"""

from __future__ import annotations

import hashlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LAST_MODIFIED = "Tue, 03 Nov 2026 08:15:00 GMT"


class FakeCatalog:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.modes: dict[str, str] = {}
        self.sleep_seconds = 3.0
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/catalogs"

    def __enter__(self) -> FakeCatalog:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest() + '"'


def _handler(fake: FakeCatalog) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.requests.append((self.path, dict(self.headers.items())))
            mode = fake.modes.get(self.path, "")
            body = fake.files.get(self.path)
            if mode == "sleep":
                time.sleep(fake.sleep_seconds)
            if mode == "error" or body is None:
                self._answer(500 if mode == "error" else 404, b"")
                return
            if mode == "short":
                self._answer(200, body[: len(body) // 2], etag(body), length=len(body))
                self.close_connection = True
                return
            if self.headers.get("If-None-Match") == etag(body):
                self._answer(304, None, etag(body))
                return
            self._answer(200, body, etag(body), dated=mode != "no-date")

        def _answer(
            self, status: int, body: bytes | None, tag: str = "", length: int | None = None, dated: bool = True
        ) -> None:
            self.send_response(status)
            if tag:
                self.send_header("ETag", tag)
            if tag and dated:
                self.send_header("Last-Modified", LAST_MODIFIED)
            if body is not None:
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body) if length is None else length))
            self.end_headers()
            if body:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler
