"""Throwaway Redis Clusters on 127.0.0.1 for tests: redis-server processes in cluster mode (no
persistence, a temporary folder), made into a cluster with ``redis-cli --cluster create`` and
stopped afterwards. The machine's own Redis is never touched."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import redis

NODE_TIMEOUT_MS = 1000  # how long until a silent master is failed over (the tests kill one)
AVAILABLE = shutil.which("redis-server") is not None and shutil.which("redis-cli") is not None
MISSING = "redis-server and redis-cli are needed to start a Redis Cluster (apt install redis-server)"


def free_port() -> int:
    """A free port whose cluster bus port (port + 10000) is free too."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port + 10000 > 65535:
            continue
        with socket.socket() as bus:
            try:
                bus.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port


def wait_for(check: Callable[[], bool], what: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except redis.RedisError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the test cluster did not get there: {what}")


@dataclass
class LoopbackCluster:
    ports: list[int]
    servers: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return "redis+cluster://" + ",".join(f"127.0.0.1:{port}" for port in self.ports)

    def alive(self) -> list[int]:
        return [port for port, server in self.servers.items() if server.poll() is None]

    def masters(self) -> list[int]:
        """Ports of the live masters, as a live node sees them."""
        nodes = redis.Redis(port=self.alive()[0], decode_responses=True).cluster("nodes")
        return sorted(
            int(address.split("@")[0].rsplit(":", 1)[1])
            for address, node in nodes.items()
            if "master" in node["flags"] and "fail" not in node["flags"]
        )

    def flush(self) -> None:
        for port in self.masters():
            redis.Redis(port=port).flushall()

    def kill(self, port: int) -> None:
        """Kill one node at once (SIGKILL): no goodbye to the cluster."""
        self.servers[port].kill()
        self.servers[port].wait(timeout=10)

    def wait_ok(self) -> None:
        for port in self.alive():
            wait_for(
                lambda port=port: redis.Redis(port=port).cluster("info")["cluster_state"] == "ok",  # type: ignore[misc]
                f"node {port} sees the cluster ok",
            )


def _synced(port: int) -> bool:
    """A master, or a replica whose link to its master is up (it can take over)."""
    info = redis.Redis(port=port).info("replication")
    return info["role"] == "master" or info.get("master_link_status") == "up"


@contextmanager
def running_cluster(folder: Path, *, masters: int = 3, replicas: int = 0) -> Iterator[LoopbackCluster]:
    """A cluster of ``masters`` masters with ``replicas`` replicas each, until the block ends."""
    cluster = LoopbackCluster(ports=[])
    try:
        for _ in range(masters * (1 + replicas)):
            port = free_port()
            node_dir = folder / str(port)
            node_dir.mkdir()
            cluster.ports.append(port)
            cluster.servers[port] = subprocess.Popen(
                [
                    "redis-server",
                    "--port", str(port),
                    "--bind", "127.0.0.1",
                    "--cluster-enabled", "yes",
                    "--cluster-config-file", str(node_dir / "nodes.conf"),
                    "--cluster-node-timeout", str(NODE_TIMEOUT_MS),
                    "--cluster-replica-validity-factor", "0",  # a replica may always take over
                    "--dir", str(node_dir),
                    "--save", "",
                    "--appendonly", "no",
                    "--daemonize", "no",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
        for port in cluster.ports:
            wait_for(lambda port=port: bool(redis.Redis(port=port).ping()), f"node {port} answers")  # type: ignore[misc]
        nodes = [f"127.0.0.1:{port}" for port in cluster.ports]
        subprocess.run(
            [
                "redis-cli",
                "--cluster",
                "create",
                *nodes,
                "--cluster-replicas",
                str(replicas),
                "--cluster-yes",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        cluster.wait_ok()
        if replicas:
            wait_for(lambda: len(cluster.masters()) == masters, "replicas attached")
            for port in cluster.ports:
                wait_for(lambda port=port: _synced(port), f"node {port} in sync with its master")  # type: ignore[misc]
        yield cluster
    finally:
        for server in cluster.servers.values():
            if server.poll() is None:
                server.terminate()
        for server in cluster.servers.values():
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
