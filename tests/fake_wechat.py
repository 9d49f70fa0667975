"""A local stand-in for WeChat's ``GET /sns/jscode2session``, answering as the real service does.

It listens on 127.0.0.1 (a real HTTP server, so the client's whole path is exercised) and knows:

- codes registered with ``issue(code, openid)``: ``{"openid", "session_key"}``, once only, as
  wx.login codes are (a second use gets 40163 "code been used");
- ``busy``: errcode 45011 (minute-level rate limit); ``system``: errcode -1 (system busy);
- any other code: errcode 40029 (invalid code);
- a wrong appid or secret: 40013 / 40125, like the real service.

WeChat answers errors with HTTP 200 and a JSON body typed ``text/plain``; so does this fake.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class FakeWeChat:
    def __init__(self, appid: str, secret: str) -> None:
        self.appid = appid
        self.secret = secret
        self.requests: list[dict[str, str]] = []
        self._codes: dict[str, str] = {}
        self._used: set[str] = set()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def issue(self, code: str, openid: str) -> None:
        """Make ``code`` a valid wx.login code for ``openid``."""
        with self._lock:
            self._codes[code] = openid

    def answer(self, params: dict[str, str]) -> dict[str, Any]:
        with self._lock:
            self.requests.append(params)
            if params.get("grant_type") != "authorization_code":
                return {"errcode": 40002, "errmsg": "invalid grant_type"}
            if params.get("appid") != self.appid:
                return {"errcode": 40013, "errmsg": "invalid appid"}
            if params.get("secret") != self.secret:
                return {"errcode": 40125, "errmsg": "invalid appsecret"}
            code = params.get("js_code", "")
            if code == "busy":
                return {
                    "errcode": 45011,
                    "errmsg": "api minute-quota reach limit mustslower retry next minute",
                }
            if code == "system":
                return {"errcode": -1, "errmsg": "system error"}
            if code in self._used:
                return {"errcode": 40163, "errmsg": "code been used"}
            if code not in self._codes:
                return {"errcode": 40029, "errmsg": "invalid code"}
            self._used.add(code)
            return {"openid": self._codes[code], "session_key": secrets.token_urlsafe(16)}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                if url.path != "/sns/jscode2session":
                    self.send_error(404)
                    return
                params = {name: values[-1] for name, values in parse_qs(url.query).items()}
                body = json.dumps(fake.answer(params)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@contextmanager
def running_fake_wechat(appid: str, secret: str) -> Iterator[FakeWeChat]:
    fake = FakeWeChat(appid, secret)
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
