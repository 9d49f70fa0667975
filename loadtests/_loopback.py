"""Servers of the rehearsal's own on 127.0.0.1: a MariaDB primary and a replica (two throwaway
``mariadbd`` processes, data folders made by ``mariadb-install-db``, the replica following the
primary by GTID) and nginx running config/nginx.conf.example. Every process is started in a
session (process group) of its own and stopped, group and all, when its block ends. The
machine's own MariaDB (3306) and Redis (6379) are never touched: every port here is a free one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pymysql

HOST = "127.0.0.1"
REPO = Path(__file__).resolve().parent.parent
NGINX_EXAMPLE = REPO / "config" / "nginx.conf.example"
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 20.0
INSTALL_NGINX = "nginx is needed: apt-get install nginx (as root; `make rehearsal` installs it when root)"
SELF_SIGNED = ("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2")
INSTALL_MARIADB = "mariadbd and mariadb-install-db are needed: apt-get install mariadb-server"


def missing_binaries() -> list[str]:
    """What the rehearsal needs and this machine lacks, each with how to install it."""
    missing = []
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        missing.append(INSTALL_NGINX)
    if _mariadbd() is None or shutil.which("mariadb-install-db") is None:
        missing.append(INSTALL_MARIADB)
    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        missing.append("redis-server and redis-cli are needed: apt-get install redis-server")
    if shutil.which("openssl") is None:
        missing.append("openssl is needed (nginx's test certificate): apt-get install openssl")
    return missing


def _mariadbd() -> str | None:
    return shutil.which("mariadbd") or next(
        (path for path in ("/usr/sbin/mariadbd", "/usr/libexec/mariadbd") if Path(path).exists()), None
    )


def _nginx() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


def start(args: Sequence[str], log: Path, **options: object) -> subprocess.Popen[bytes]:
    """A process in a session of its own (so stopping it stops its children), output to ``log``."""
    with log.open("ab") as output:
        return subprocess.Popen(  # type: ignore[call-overload,no-any-return]
            list(args), stdout=output, stderr=subprocess.STDOUT, start_new_session=True, **options
        )


def stop(process: subprocess.Popen[bytes], *, timeout_s: float = STOP_TIMEOUT_S) -> None:
    """SIGTERM to the process's group, then SIGKILL to the group if it has not gone."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=timeout_s)
            return
        except subprocess.TimeoutExpired:
            continue


def wait_for(check: Callable[[], bool], what: str, timeout_s: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # not up yet, whatever it says
            pass
        time.sleep(0.2)
    raise SystemExit(f"the rehearsal's {what} did not come up in {timeout_s:.0f} s")


# ------------------------------------------------------------------------------------ MariaDB


@dataclass(frozen=True)
class MariaDBPair:
    primary_port: int
    replica_port: int

    def url(self, port: int, database: str = "") -> str:
        return f"mysql://root@{HOST}:{port}/{database}"

    def connect(self, port: int) -> pymysql.connections.Connection[pymysql.cursors.Cursor]:
        return pymysql.connect(host=HOST, port=port, user="root", password="", autocommit=True)

    def caught_up(self, timeout_s: float = 60.0) -> bool:
        """True once the replica has applied everything the primary had written by now."""
        with self.connect(self.primary_port) as primary, primary.cursor() as cur:
            cur.execute("SELECT @@gtid_binlog_pos")
            position = cur.fetchone()[0]  # type: ignore[index]
        with self.connect(self.replica_port) as replica, replica.cursor() as cur:
            cur.execute("SELECT MASTER_GTID_WAIT(%s, %s)", (position, timeout_s))
            return bool(cur.fetchone()[0] == 0)  # type: ignore[index]


def _start_mariadbd(folder: Path, port: int, server_id: int) -> subprocess.Popen[bytes]:
    data = folder / "data"
    install = ["mariadb-install-db", "--no-defaults", f"--datadir={data}", "--skip-test-db"]
    install += ["--auth-root-authentication-method=normal"]
    if os.geteuid() == 0:
        install.append("--user=root")
    with (folder / "install.log").open("wb") as output:
        subprocess.run(install, stdout=output, stderr=subprocess.STDOUT, check=True, timeout=120)
    args = [
        _mariadbd() or "mariadbd",
        "--no-defaults",
        f"--datadir={data}",
        f"--port={port}",
        f"--bind-address={HOST}",
        f"--socket={folder / 'mysqld.sock'}",
        f"--pid-file={folder / 'mysqld.pid'}",
        f"--server-id={server_id}",
        f"--log-bin={data / 'binlog'}",
        "--binlog-format=ROW",
        "--skip-name-resolve",
        "--innodb-buffer-pool-size=128M",
        "--innodb-flush-log-at-trx-commit=2",  # a rehearsal: the disk's fsyncs are not the point
        "--max-connections=500",
    ]
    if os.geteuid() == 0:
        args.append("--user=root")
    return start(args, folder / "mariadbd.log")


@contextlib.contextmanager
def mariadb_pair(folder: Path, free_port: Callable[[], int]) -> Iterator[MariaDBPair]:
    """A primary and a replica replicating from it (binlog, GTID), both empty, until the block ends."""
    processes: list[subprocess.Popen[bytes]] = []
    try:
        ports = []
        for name, server_id in (("primary", 1), ("replica", 2)):
            (folder / name).mkdir(parents=True)
            ports.append(free_port())
            processes.append(_start_mariadbd(folder / name, ports[-1], server_id))
        pair = MariaDBPair(*ports)
        for port, process in zip(ports, processes, strict=True):
            wait_for(partial(_answers, pair, port, process), f"MariaDB on {port}")
        with pair.connect(pair.replica_port) as replica, replica.cursor() as cur:
            cur.execute(
                "CHANGE MASTER TO MASTER_HOST=%s, MASTER_PORT=%s, MASTER_USER='root', "
                "MASTER_PASSWORD='', MASTER_USE_GTID=slave_pos",
                (HOST, pair.primary_port),
            )
            cur.execute("START SLAVE")
        wait_for(lambda: _replicating(pair), "MariaDB replica's link to its primary")
        yield pair
    finally:
        for process in processes:
            stop(process, timeout_s=60.0)


def _answers(pair: MariaDBPair, port: int, process: subprocess.Popen[bytes]) -> bool:
    if process.poll() is not None:
        raise SystemExit(f"mariadbd on {port} exited {process.returncode}; see its mariadbd.log")
    with pair.connect(port):
        return True


def _replicating(pair: MariaDBPair) -> bool:
    with pair.connect(pair.replica_port) as replica, replica.cursor(pymysql.cursors.DictCursor) as cur:
        cur.execute("SHOW SLAVE STATUS")
        row = cur.fetchone()
    return row is not None and row["Slave_IO_Running"] == "Yes" and row["Slave_SQL_Running"] == "Yes"


# ------------------------------------------------------------------------------------ nginx


def _swap(text: str, old: str, new: str) -> str:
    if old not in text:
        raise SystemExit(f"{NGINX_EXAMPLE} no longer has {old!r}; update loadtests/_loopback.py with it")
    return text.replace(old, new)


def render_site(
    *, http_port: int, https_port: int, upstreams: Sequence[int], cert: Path, key: Path, logs: Path
) -> str:
    """config/nginx.conf.example as it is, but for loopback: its ports, the certificate, the log
    folder and the service processes to proxy to. Nothing else changes."""
    text = NGINX_EXAMPLE.read_text()
    text = _swap(
        text, "    server 127.0.0.1:8000;\n", "".join(f"    server {HOST}:{p};\n" for p in upstreams)
    )
    text = _swap(text, "listen 80;", f"listen {HOST}:{http_port};")
    text = _swap(text, "listen 443 ssl http2;", f"listen {HOST}:{https_port} ssl http2;")
    for ipv6 in ("    listen [::]:80;\n", "    listen [::]:443 ssl http2;\n"):
        text = _swap(text, ipv6, "")  # loopback only
    text = _swap(text, "/etc/letsencrypt/live/tickets.example.com/fullchain.pem", str(cert))
    text = _swap(text, "/etc/letsencrypt/live/tickets.example.com/privkey.pem", str(key))
    return _swap(text, "/var/log/nginx/access.log", str(logs / "access-ws.log"))


_MAIN_CONF = """daemon off;
worker_processes auto;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
{user}
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {folder}/tmp/body;
    proxy_temp_path {folder}/tmp/proxy;
    fastcgi_temp_path {folder}/tmp/fastcgi;
    uwsgi_temp_path {folder}/tmp/uwsgi;
    scgi_temp_path {folder}/tmp/scgi;
    include {folder}/seatcore.conf;
}}
"""


class Nginx:
    """nginx with the example's site in front of some service processes; ``route_to`` changes
    which (a graceful reload)."""

    def __init__(self, folder: Path, free_port: Callable[[], int]) -> None:
        self.folder = folder
        (folder / "tmp").mkdir(parents=True)
        self.http_port, self.https_port = free_port(), free_port()
        self.cert, self.key = folder / "cert.pem", folder / "key.pem"
        subprocess.run(
            [*SELF_SIGNED, "-subj", f"/CN={HOST}", "-keyout", str(self.key), "-out", str(self.cert)],
            check=True,
            capture_output=True,
            timeout=60,
        )
        user = "user root;" if os.geteuid() == 0 else ""  # workers need the folder's temp paths
        (folder / "nginx.conf").write_text(_MAIN_CONF.format(folder=folder, user=user))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"https://{HOST}:{self.https_port}"

    def route_to(self, ports: Sequence[int]) -> None:
        site = render_site(
            http_port=self.http_port,
            https_port=self.https_port,
            upstreams=ports,
            cert=self.cert,
            key=self.key,
            logs=self.folder,
        )
        (self.folder / "seatcore.conf").write_text(site)
        args = [_nginx(), "-p", str(self.folder), "-c", str(self.folder / "nginx.conf"), "-e"]
        args.append(str(self.folder / "error.log"))
        check = subprocess.run([*args, "-t"], capture_output=True, text=True, check=False)
        if check.returncode != 0:
            raise SystemExit(f"nginx refused the rendered example: {check.stderr.strip()}")
        if self.process is None:
            self.process = start(args, self.folder / "nginx.out")
            wait_for(self._serving, "nginx")
        else:
            self.process.send_signal(signal.SIGHUP)
            time.sleep(1.0)  # new workers take over; old ones finish their requests

    def _serving(self) -> bool:
        import httpx

        if self.process is not None and self.process.poll() is not None:
            raise SystemExit(f"nginx exited {self.process.returncode}; see {self.folder / 'error.log'}")
        return httpx.get(f"{self.url}/healthz", verify=False, timeout=2).status_code == 200

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)


def kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL to the process's group at once: a crash, no goodbye."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
