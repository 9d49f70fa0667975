"""`seatcore serve` as a real process: HTTPS, graceful shutdown, several workers on one embedded Redis."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import json
import shutil
import signal
import socket
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest
import websockets
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from prometheus_client import CollectorRegistry, multiprocess
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import TEST_SECRET
from tests.servers import clean_env, redis_servers_in, run_command, running, stop_strays

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def production_env(tmp_path: Path, mysql_url: str, redis_url: str) -> dict[str, str]:
    """A server on the machine's MariaDB and Redis, as production runs (dev sign-in on for the test)."""
    return clean_env(
        tmp_path,
        SEATCORE_DATABASE_URL=mysql_url,
        SEATCORE_REDIS_URL=redis_url,
        SEATCORE_SECRET_KEY=TEST_SECRET,
        SEATCORE_DATA_DIR=str(tmp_path / "data"),
        SEATCORE_DEV_LOGIN="true",
    )


def _self_signed(folder: Path) -> tuple[Path, Path, Path]:
    """A CA, and a certificate for 127.0.0.1 signed by it: (ca.pem, cert.pem, key.pem)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "seatcore test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, cert_path, key_path = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_path, cert_path, key_path


def test_serve_speaks_https_with_its_certificate(tmp_path: Path, production_env: dict[str, str]) -> None:
    ca, cert, key = _self_signed(tmp_path)
    trusted = ssl.create_default_context(cafile=str(ca))
    args = ["serve", "--tls-certfile", str(cert), "--tls-keyfile", str(key)]
    with running(args, cwd=tmp_path, env=production_env, scheme="https", verify=trusted) as server:
        with httpx.Client(verify=trusted) as client:
            response = client.get(f"{server.base_url}/healthz")
            assert response.status_code == 200 and response.json() == {"status": "ok"}
            assert response.headers["x-request-id"]
        # The certificate is what makes it pass: a client that does not trust our CA refuses it.
        with httpx.Client() as untrusting, pytest.raises(httpx.ConnectError):
            untrusting.get(f"{server.base_url}/healthz")
        assert f"https://127.0.0.1:{server.port}/" in server.output()
        assert server.stop() == 0


def _wait_refused(port: int) -> None:
    """Until the listening socket is closed: uvicorn's first step of a graceful shutdown."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except ConnectionRefusedError:
            return
        time.sleep(0.05)
    raise AssertionError("the server kept accepting connections after SIGTERM")


def _read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    sock.settimeout(20)
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


def test_sigterm_lets_a_request_in_flight_finish(tmp_path: Path, production_env: dict[str, str]) -> None:
    """A request whose body is still arriving when SIGTERM comes is answered in full; then exit 0."""
    body = json.dumps({"code": "dev-late-lucy"}).encode()
    with running(["serve"], cwd=tmp_path, env=production_env) as server:
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.sendall(
            b"POST /api/v1/auth/wx-login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nX-Request-ID: in-flight-1\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body[:5]
        )
        # A full round trip on another connection: by its end the server has read our headers.
        assert httpx.get(f"{server.base_url}/healthz").status_code == 200

        server.process.send_signal(signal.SIGTERM)
        _wait_refused(server.port)  # shutdown has begun: no new connections
        # The request stays in flight well past uvicorn's own 0.1 s pause before it starts to wait
        # for connections (so with shutdown_grace_s = 0 this test fails).
        time.sleep(1.0)
        assert server.process.poll() is None, "the server must wait for the request in flight"
        sock.sendall(body[5:])
        status, headers, answer = _read_response(sock)
        sock.close()

        assert status == 200, answer
        assert json.loads(answer)["token"]
        assert headers["x-request-id"] == "in-flight-1"
        assert headers["connection"] == "close"
        assert server.stop() == 0
    assert '"msg":"Shutting down"' in server.output()


def _readyz_count(registry: CollectorRegistry) -> float:
    for family in registry.collect():
        for sample in family.samples:
            if (
                sample.name == "seatcore_http_requests_total"
                and sample.labels.get("route") == "/readyz"
                and sample.labels.get("status") == "200"
            ):
                return sample.value
    return 0.0


def _per_worker_readyz(metrics_dir: Path, pids: list[int], scratch: Path) -> dict[int, float]:
    """Each worker's own /readyz count, read from its file in the multiprocess folder."""
    counts = {}
    for pid in pids:
        own = scratch / str(pid)
        own.mkdir(parents=True, exist_ok=True)
        source = metrics_dir / f"counter_{pid}.db"
        if source.exists():
            shutil.copy(source, own / source.name)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=str(own))
        counts[pid] = _readyz_count(registry)
    return counts


@pytest.fixture
def embedded_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "data"
    yield folder
    stop_strays(folder)


def test_workers_share_one_embedded_redis_and_one_metrics_view(tmp_path: Path, embedded_dir: Path) -> None:
    env = clean_env(tmp_path)
    run_command(["--data-dir", str(embedded_dir), "migrate"], cwd=tmp_path, env=env)
    args = ["--data-dir", str(embedded_dir), "serve", "--workers", "2"]
    with running(args, cwd=tmp_path, env=env) as server, httpx.Client(base_url=server.base_url) as http:
        [redis_pid] = redis_servers_in(embedded_dir)
        socket_path = psutil.Process(redis_pid).cmdline()[-1].split("unixsocket:")[-1].strip()
        workers = [
            child
            for child in psutil.Process(server.process.pid).children()
            if "spawn_main" in " ".join(child.cmdline())
        ]
        assert len(workers) == 2
        environs = [worker.environ() for worker in workers]
        assert {e["SEATCORE_REDIS_URL"] for e in environs} == {f"unix://{socket_path}"}
        [metrics_dir] = {Path(e["PROMETHEUS_MULTIPROC_DIR"]) for e in environs}

        # Requests until both workers have served some; /metrics must then count every one of them.
        pids = [worker.pid for worker in workers]
        sent = 0
        per_worker = dict.fromkeys(pids, 0.0)
        while sent < 400 and min(per_worker.values()) == 0:
            with httpx.Client(base_url=server.base_url) as fresh:  # a new connection each time
                ready = fresh.get("/readyz")
            assert ready.status_code == 200, ready.text
            sent += 1
            if sent % 10 == 0:
                per_worker = _per_worker_readyz(metrics_dir, pids, tmp_path / "scratch")
        assert min(per_worker.values()) > 0, f"one worker served all {sent} requests"

        text = http.get("/metrics").text
        total = [
            s.value
            for family in text_string_to_metric_families(text)
            for s in family.samples
            if s.name == "seatcore_http_requests_total"
            and s.labels["route"] == "/readyz"
            and s.labels["status"] == "200"
        ]
        assert total == [sent]
        assert server.stop() == 0
    assert redis_servers_in(embedded_dir) == []
    assert not metrics_dir.exists()


@pytest.mark.parametrize("deflate", [False, True], ids=["default", "turned-on"])
def test_socket_compression_is_off_unless_turned_on(
    tmp_path: Path, production_env: dict[str, str], deflate: bool
) -> None:
    env = {**production_env, **({"SEATCORE_LIVE_WS_DEFLATE": "true"} if deflate else {})}
    with running(["serve"], cwd=tmp_path, env=env) as server:

        async def negotiated() -> str | None:
            # A browser offers permessage-deflate; the websockets client does too, by default.
            url = f"ws://127.0.0.1:{server.port}/ws/showtimes/1"
            async with websockets.connect(url) as ws:
                return ws.response.headers.get("Sec-WebSocket-Extensions")

        extensions = asyncio.run(negotiated())
        assert server.stop() == 0
    assert (extensions is not None and "permessage-deflate" in extensions) is deflate
