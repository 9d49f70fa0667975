"""The ``seatcore`` command: serve, migrate, seed-demo, demo, create-staff, reconcile, check,
door-keys.

Settings come from defaults, the config file, ``SEATCORE_*`` variables and, strongest, the
options given here. ``serve`` runs uvicorn; on the embedded default it first starts the embedded
Redis in this process, so every worker shares it, and stops it after the last worker has exited.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from seatcore.errors import SeatcoreError
from seatcore.settings import Settings, load_settings

# Options that override settings (explicit beats environment and config file).
_SETTING_OPTIONS = (
    "database_url",
    "redis_url",
    "data_dir",
    "host",
    "port",
    "workers",
    "tls_certfile",
    "tls_keyfile",
)
# Settings that worker processes must see as this process resolved them.
_EXPORTED = ("database_url", "redis_url", "data_dir", "secret_key", "dev_login", "payment_provider")


def _settings_from(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    for name in _SETTING_OPTIONS:
        value = getattr(args, name, None)
        if value is not None:
            overrides[name] = value
    return load_settings(**overrides)


def _export(settings: Settings) -> None:
    """Hand the resolved settings to uvicorn's worker processes through the environment."""
    for name in _EXPORTED:
        value = getattr(settings, name)
        if name == "data_dir":
            value = Path(value).resolve()
        os.environ[f"SEATCORE_{name.upper()}"] = str(value)


@contextlib.contextmanager
def _redis_ready(settings: Settings) -> Iterator[Settings]:
    """The settings with a Redis to use: the configured one, or the embedded one for the duration."""
    if settings.redis_url:
        yield settings
        return
    from seatcore.embedded import EmbeddedRedis

    with EmbeddedRedis(settings.data_dir) as embedded:
        print(f"embedded Redis (pid {embedded.pid}) on {embedded.url}", flush=True)
        yield settings.model_copy(update={"redis_url": embedded.url})


def _with_secret(settings: Settings) -> Settings:
    """Production needs a configured secret; the embedded default keeps one in its data folder."""
    from seatcore.embedded import embedded_secret
    from seatcore.runtime import ConfigError

    if settings.secret_key:
        return settings
    if settings.database_url:
        raise ConfigError("secret_key is required outside the embedded demo (SEATCORE_SECRET_KEY)")
    return settings.model_copy(update={"secret_key": embedded_secret(settings.data_dir)})


def cmd_migrate(settings: Settings) -> None:
    from seatcore.db.engine import database_url
    from seatcore.db.migrate import upgrade

    url = database_url(settings)
    upgrade(url)
    print(f"migrated {url.render_as_string(hide_password=True)} to the latest schema", flush=True)


def cmd_seed_demo(settings: Settings) -> None:
    from seatcore.demo.seed import seed_demo

    with _redis_ready(settings) as ready:
        summary = asyncio.run(seed_demo(ready))
    print(summary, flush=True)


def _urls(settings: Settings) -> str:
    scheme = "https" if settings.tls_certfile else "http"
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    base = (settings.public_url or f"{scheme}://{host}:{settings.port}").rstrip("/")
    lines = [
        f"seatcore is starting on {base} with {settings.workers} worker(s)",
        f"  moviegoer web:  {base}/",
        f"  staff console:  {base}/console/",
        f"  API document:   {base}/api/v1/openapi.json",
        f"  health:         {base}/healthz   readiness: {base}/readyz   metrics: {base}/metrics",
    ]
    if settings.dev_login:
        lines.append("  sign-in:        dev provider on: any code dev-NAME signs in moviegoer NAME")
    if settings.payment_provider == "sandbox":
        lines.append("  payments:       sandbox: the service pays every order itself (demo and tests only)")
    elif settings.payment_provider == "none":
        lines.append("  payments:       off (payment_provider is not set): every pay answers 503")
    return "\n".join(lines)


@contextlib.contextmanager
def _shared_metrics(workers: int) -> Iterator[None]:
    """With several workers, a fresh folder for prometheus_client's multiprocess mode."""
    if workers == 1 or os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        yield
        return
    folder = tempfile.mkdtemp(prefix="seatcore-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    try:
        yield
    finally:
        del os.environ["PROMETHEUS_MULTIPROC_DIR"]
        shutil.rmtree(folder, ignore_errors=True)


def _run_uvicorn(settings: Settings) -> None:
    """Serve until SIGTERM / SIGINT; uvicorn then stops accepting, finishes in-flight requests
    (up to ``shutdown_grace_s``) and runs the app's shutdown."""
    import uvicorn

    from seatcore.observability import setup_logging

    _export(settings)
    setup_logging(settings.log_level, settings.log_json)
    print(_urls(settings), flush=True)
    with _shared_metrics(settings.workers):
        uvicorn.run(
            "seatcore.app:create_app_from_env",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            ssl_certfile=settings.tls_certfile or None,
            ssl_keyfile=settings.tls_keyfile or None,
            proxy_headers=False,  # the app believes forwarded addresses from trusted_proxies only
            timeout_graceful_shutdown=settings.shutdown_grace_s,
            log_config=None,
            access_log=False,
            server_header=False,
            ws_per_message_deflate=settings.live_ws_deflate,
        )


def _exit_cleanly(signum: int, frame: object) -> None:
    """SIGTERM ends the command like Ctrl+C does: by unwinding, so the embedded Redis is stopped.

    uvicorn handles SIGTERM itself while it serves, then raises it again once it has shut down
    gracefully; without this handler that second SIGTERM would kill the process on the spot."""
    raise SystemExit(0)


def cmd_serve(settings: Settings) -> None:
    with _redis_ready(_with_secret(settings)) as ready:
        _run_uvicorn(ready)


def demo_settings(settings: Settings) -> Settings:
    """The demo's settings. On the embedded default the dev sign-in provider is turned on (codes
    ``dev-NAME``) unless ``SEATCORE_DEV_LOGIN`` says otherwise, and so is the sandbox payment
    provider unless the config or the environment chose a ``payment_provider``."""
    if settings.database_url:
        return settings
    if "SEATCORE_DEV_LOGIN" not in os.environ:
        settings = settings.model_copy(update={"dev_login": True})
    if "payment_provider" not in settings.model_fields_set:
        settings = settings.model_copy(update={"payment_provider": "sandbox"})
    return settings


def cmd_demo(settings: Settings) -> None:
    """Migrate, seed and serve, with the demo's settings (``demo_settings``)."""
    settings = _with_secret(demo_settings(settings))
    cmd_migrate(settings)
    with _redis_ready(settings) as ready:
        cmd_seed_demo(ready)
        _run_uvicorn(ready)


def cmd_create_staff(settings: Settings, args: argparse.Namespace) -> None:
    from seatcore.auth.passwords import hash_password
    from seatcore.db.engine import create_db_engine
    from seatcore.store.users import create_staff

    password = os.environ.get("SEATCORE_NEW_STAFF_PASSWORD") or getpass.getpass("password: ")
    if len(password) < 8:
        sys.exit("the password must be at least 8 characters")
    cinemas = tuple(int(c) for c in args.cinema)

    async def run() -> int:
        db = create_db_engine(settings)
        try:
            return await create_staff(db, args.username, hash_password(password), args.role, cinemas)
        finally:
            await db.dispose()

    print(f"created staff member {args.username} (id {asyncio.run(run())})")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="seatcore", description="seatcore: cinema seat booking")
    parser.add_argument("--database-url", dest="database_url", help="mysql://... or sqlite:///...")
    parser.add_argument("--redis-url", dest="redis_url", help="redis://..., rediss://... or unix://...")
    parser.add_argument("--data-dir", dest="data_dir", help="folder of the embedded default")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the service (uvicorn)")
    demo = sub.add_parser("demo", help="migrate, seed the demo data and serve")
    for p in (serve, demo):
        p.add_argument("--host")
        p.add_argument("--port", type=int)
        p.add_argument("--workers", type=int)
        p.add_argument("--tls-certfile", dest="tls_certfile", help="PEM certificate (chain): serve HTTPS")
        p.add_argument("--tls-keyfile", dest="tls_keyfile", help="PEM private key of the certificate")
    sub.add_parser("migrate", help="create or upgrade the database schema")
    sub.add_parser("seed-demo", help="fill the demo catalogue (idempotent)")
    staff = sub.add_parser("create-staff", help="add a console account")
    staff.add_argument("username")
    staff.add_argument("--role", choices=("staff", "admin"), default="staff")
    staff.add_argument("--cinema", action="append", default=[], help="cinema id (repeatable)")
    reconcile = sub.add_parser("reconcile", help="compare sold seats, tickets and payments (docs/orders.md)")
    reconcile.add_argument("--showtime", type=int, action="append", default=[], help="only this showtime")
    reconcile.add_argument("--repair", action="store_true", help="also fix what has a safe fix")
    from seatcore.checker import command as check_command
    from seatcore.door import rotation

    check_command.add_parser(sub)
    rotation.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    if args.command in ("serve", "demo"):
        signal.signal(signal.SIGTERM, _exit_cleanly)
    try:
        settings = _settings_from(args)
        if args.command == "check":
            from seatcore.checker import command as check_command

            sys.exit(check_command.run(settings, args))
        if args.command == "door-keys":
            from seatcore.door import rotation

            sys.exit(rotation.run(settings, args))
        if args.command == "migrate":
            cmd_migrate(settings)
        elif args.command == "seed-demo":
            cmd_seed_demo(settings)
        elif args.command == "serve":
            cmd_serve(settings)
        elif args.command == "demo":
            cmd_demo(settings)
        elif args.command == "create-staff":
            cmd_create_staff(settings, args)
        elif args.command == "reconcile":
            from seatcore.orders.reconcile import main as reconcile_main

            sys.exit(reconcile_main(settings, args.showtime, fix=args.repair))
    except KeyboardInterrupt:
        sys.exit(130)  # Ctrl+C: everything above has been unwound and stopped; no traceback
    except ValidationError as exc:
        sys.exit(f"seatcore: invalid settings:\n{exc}")
    except SeatcoreError as exc:
        sys.exit(f"seatcore: {exc.message}")
