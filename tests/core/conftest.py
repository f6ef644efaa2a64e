"""Fixtures of the core tests: Redis db 2 for the rate limits' shared storage."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from pathlib import Path

import pytest

REDIS_URL = "redis://127.0.0.1:6379/2"
# pytest-xdist runs tests side by side: the tests on Redis db 2 take turns, so that one's
# flush never empties the counts of another that is running.
LOCK_FILE = Path("/tmp/lms-tests-redis-db2.lock")


@pytest.fixture
def redis_db() -> Iterator:
    """Redis db 2 to itself, flushed before and after (the server keeps nothing on disk)."""
    import redis

    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis does not answer on 127.0.0.1:6379 (the rate limits' shared storage)")
    with LOCK_FILE.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        connection.flushdb()
        try:
            yield connection
        finally:
            connection.flushdb()
            connection.close()
            fcntl.flock(lock, fcntl.LOCK_UN)
