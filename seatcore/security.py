"""The HTTP edge's protections, as middleware that ``create_app`` puts around every route.

- Security headers on every answer, pages and API alike: a Content-Security-Policy without inline
  script (the pages load their scripts from files), no framing, no MIME sniffing, no referrer
  sent to other sites; HSTS when seatcore serves HTTPS itself.
- Trusted proxies: ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed only from the
  addresses in ``trusted_proxies`` (none by default), so per-address limits count real callers and
  nobody can pick their own address by sending the header. uvicorn's own proxy handling is off
  (seatcore.cli): this one works under any server and in tests alike.
- CORS for REST calls from the origins in ``allowed_origins`` (the seat-map socket checks the
  same list itself, seatcore.live.ws). The API takes bearer tokens, not cookies, so no
  credentials are allowed across origins.
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from seatcore.settings import Settings

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # Inline style attributes are left to the chart library's tooltips; script never is.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob: https:",  # posters may live on a CDN
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
)
HSTS = (b"strict-transport-security", b"max-age=31536000")
# What browsers from allowed origins may send and read.
CORS_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"]
CORS_EXPOSED = ["X-Request-ID", "Retry-After", "Location"]


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.headers = [*SECURITY_HEADERS, HSTS] if hsts else list(SECURITY_HEADERS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def edge_middleware(settings: Settings, request_context: Middleware) -> list[Middleware]:
    """The middleware in the order a request meets them (the first is the outermost): the security
    headers (on every answer, a last-resort 500 included), ``request_context`` (ids, logs, metrics,
    that 500), then the forwarded addresses and CORS when they are configured."""
    stack = [Middleware(SecurityHeadersMiddleware, hsts=bool(settings.tls_certfile)), request_context]
    if settings.trusted_proxies:
        stack.append(Middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies))
    if settings.allowed_origins:
        stack.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.allowed_origins,
                allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                allow_headers=CORS_HEADERS,
                expose_headers=CORS_EXPOSED,
                max_age=600,
            )
        )
    return stack
