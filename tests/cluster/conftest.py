"""The cluster tests' Redis: a cluster of 3 masters, each with a replica, started for the module
(tests/cluster/redis_cluster.py), so that a test can kill a master and see its replica promoted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.cluster.redis_cluster import AVAILABLE, MISSING, LoopbackCluster, running_cluster

pytestmark = pytest.mark.cluster


@pytest.fixture(scope="module")
def test_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackCluster]:
    if not AVAILABLE:
        pytest.skip(MISSING)
    with running_cluster(tmp_path_factory.mktemp("redis-cluster"), masters=3, replicas=1) as cluster:
        yield cluster


@pytest.fixture
def redis_url(test_cluster: LoopbackCluster) -> str:
    return test_cluster.url
