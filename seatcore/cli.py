"""The ``seatcore`` command: serve, migrate, seed-demo, demo, create-staff."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Sequence

from seatcore.settings import Settings, load_settings


def _settings_from(args: argparse.Namespace) -> Settings:
    overrides = {}
    for name in ("database_url", "redis_url", "data_dir", "host", "port", "workers"):
        value = getattr(args, name, None)
        if value is not None:
            overrides[name] = value
    return load_settings(**overrides)


def _export(settings: Settings) -> None:
    """Hand the resolved settings to uvicorn's worker processes through the environment."""
    for name in ("database_url", "redis_url", "data_dir", "secret_key"):
        value = getattr(settings, name)
        if value:
            os.environ[f"SEATCORE_{name.upper()}"] = str(value)


def cmd_migrate(settings: Settings) -> None:
    from seatcore.db.engine import database_url
    from seatcore.db.migrate import upgrade

    url = database_url(settings)
    upgrade(url)
    print(f"migrated {url.render_as_string(hide_password=True)} to the latest schema")


def cmd_seed_demo(settings: Settings) -> None:
    from seatcore.demo.seed import seed_demo

    summary = asyncio.run(seed_demo(settings))
    print(summary)


def cmd_serve(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    from seatcore.embedded import EmbeddedRedis, embedded_secret

    embedded = None
    if not settings.redis_url:
        embedded = EmbeddedRedis(settings.data_dir)
        settings = settings.model_copy(update={"redis_url": embedded.url})
    if not settings.secret_key and not settings.database_url:
        settings = settings.model_copy(update={"secret_key": embedded_secret(settings.data_dir)})
    _export(settings)
    certfile = args.tls_certfile or settings.tls_certfile or None
    keyfile = args.tls_keyfile or settings.tls_keyfile or None
    scheme = "https" if certfile else "http"
    base = settings.public_url or f"{scheme}://{settings.host}:{settings.port}"
    print(
        f"seatcore is starting on {base}\n"
        f"  moviegoer web:  {base}/\n"
        f"  staff console:  {base}/console/\n"
        f"  API document:   {base}/api/v1/openapi.json\n"
        f"  health:         {base}/healthz   metrics: {base}/metrics",
        flush=True,
    )
    try:
        uvicorn.run(
            "seatcore.app:create_app_from_env",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            ssl_certfile=certfile,
            ssl_keyfile=keyfile,
            proxy_headers=True,
            timeout_graceful_shutdown=20,
            log_config=None,
        )
    finally:
        if embedded is not None:
            embedded.close()


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
    parser = argparse.ArgumentParser(prog="seatcore", description=__doc__)
    parser.add_argument("--database-url", dest="database_url")
    parser.add_argument("--redis-url", dest="redis_url")
    parser.add_argument("--data-dir", dest="data_dir")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the service (uvicorn)")
    demo = sub.add_parser("demo", help="migrate, seed the demo data and serve")
    for p in (serve, demo):
        p.add_argument("--host")
        p.add_argument("--port", type=int)
        p.add_argument("--workers", type=int)
        p.add_argument("--tls-certfile", default="")
        p.add_argument("--tls-keyfile", default="")
    sub.add_parser("migrate", help="create or upgrade the database schema")
    sub.add_parser("seed-demo", help="fill the demo catalogue (idempotent)")
    staff = sub.add_parser("create-staff", help="add a console account")
    staff.add_argument("username")
    staff.add_argument("--role", choices=("staff", "admin"), default="staff")
    staff.add_argument("--cinema", action="append", default=[], help="cinema id (repeatable)")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    settings = _settings_from(args)
    if args.command == "migrate":
        cmd_migrate(settings)
    elif args.command == "seed-demo":
        cmd_seed_demo(settings)
    elif args.command == "serve":
        cmd_serve(settings, args)
    elif args.command == "demo":
        if not settings.database_url and not os.environ.get("SEATCORE_DEV_LOGIN"):
            settings = settings.model_copy(update={"dev_login": True})
            os.environ["SEATCORE_DEV_LOGIN"] = "true"
        cmd_migrate(settings)
        cmd_seed_demo(settings)
        cmd_serve(settings, args)
    elif args.command == "create-staff":
        cmd_create_staff(settings, args)
