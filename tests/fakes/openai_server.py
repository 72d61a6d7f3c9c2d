"""A local server speaking the OpenAI chat-completions and embeddings protocol, on 127.0.0.1.

`mode` picks the behaviour of /v1/chat/completions: "valid" (answers with `reply`), "invalid_json",
"invalid_then_valid" (an invalid answer to each first attempt, then `reply` to the retry),
"schema" (JSON that violates the schema), "timeout" (sleeps past the client's timeout), "error"
(HTTP 500), "refusal". Every request body is recorded in `requests`.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeOpenAI:
    def __init__(self) -> None:
        self.mode = "valid"
        self.reply: dict[str, Any] = {}
        self.sleep_seconds = 3.0
        self.requests: list[dict[str, Any]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()

    def chat_content(self, body: dict[str, Any]) -> str | None:
        is_retry = len(body.get("messages", [])) > 2  # the client resends the exchange plus the errors
        if self.mode == "invalid_then_valid":
            return json.dumps(self.reply) if is_retry else json.dumps({"spec": {"task_type": "teleport"}})
        if self.mode == "invalid_json":
            return '{"spec": {"task_type": "inference",'
        if self.mode == "schema":
            return json.dumps({"spec": {"task_type": "teleport", "replicas": -3}})
        if self.mode == "refusal":
            return None
        return json.dumps(self.reply)


def _completion(content: str | None, model: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if content is None:
        message["refusal"] = "I can't help with that."
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _embedding(text: str, dim: int = 64) -> list[float]:
    digest = hashlib.sha256(text.encode()).digest()
    raw = [((digest[i % 32] + i) % 17) - 8.0 for i in range(dim)]
    norm = math.sqrt(sum(x * x for x in raw)) or 1.0
    return [x / norm for x in raw]


def _handler(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            fake.requests.append({"path": self.path, "body": body})
            if self.path.endswith("/chat/completions"):
                self._chat(body)
            elif self.path.endswith("/embeddings"):
                inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
                data = [{"object": "embedding", "index": i, "embedding": _embedding(t)} for i, t in enumerate(inputs)]
                self._send(
                    200,
                    {
                        "object": "list",
                        "data": data,
                        "model": body.get("model"),
                        "usage": {"prompt_tokens": 1, "total_tokens": 1},
                    },
                )
            else:
                self._send(404, {"error": {"message": "not found"}})

        def _chat(self, body: dict[str, Any]) -> None:
            if fake.mode == "timeout":
                time.sleep(fake.sleep_seconds)
            if fake.mode == "error":
                self._send(500, {"error": {"message": "internal", "type": "server_error"}})
                return
            self._send(200, _completion(fake.chat_content(body), body.get("model", "test")))

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args: object) -> None:
            pass

    return Handler
