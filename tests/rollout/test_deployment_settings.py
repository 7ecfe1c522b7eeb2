"""The settings that matter with several app hosts (docs/deployment.md): the shared cache's
Redis, the one secret key, and each process's PostgreSQL pool."""

from __future__ import annotations

import pytest

from rollout.config import cache_url, secret_key
from rollout.db import PoolSettings


def test_the_cache_shares_the_redis_named_first_or_the_queues_and_none_without_redis() -> None:
    assert cache_url({"ROLLOUT_CACHE_URL": "redis://cache/1", "REDIS_URL": "redis://addon/0"}) == "redis://cache/1"
    assert cache_url({"REDIS_URL": "rediss://addon/0", "ROLLOUT_QUEUE_URL": "redis://queue/0"}) == "rediss://addon/0"
    assert cache_url({"ROLLOUT_QUEUE_URL": "redis://queue/0"}) == "redis://queue/0"
    assert cache_url({"ROLLOUT_QUEUE_URL": "sqlite:////srv/queue.sqlite3"}) is None
    assert cache_url({}) is None


def test_no_key_is_generated_per_host_where_a_redis_says_several_hosts_serve(tmp_path) -> None:
    with pytest.raises(RuntimeError, match="set the same SECRET_KEY on every app host"):
        secret_key(str(tmp_path), {"REDIS_URL": "redis://addon/0"})
    assert not (tmp_path / "secret_key").exists()
    assert secret_key(str(tmp_path), {"REDIS_URL": "redis://addon/0", "SECRET_KEY": "shared"}) == "shared"
    generated = secret_key(str(tmp_path), {})  # one machine: generated once, kept in the instance folder
    assert secret_key(str(tmp_path), {}) == generated == (tmp_path / "secret_key").read_text()


def test_pool_sizes_come_from_the_environment_and_a_wrong_value_is_named() -> None:
    settings = PoolSettings.from_environment({"ROLLOUT_DB_POOL_SIZE": "2", "ROLLOUT_DB_MAX_OVERFLOW": "0",
                                              "ROLLOUT_DB_POOL_TIMEOUT": "7.5", "ROLLOUT_PGBOUNCER": "1"})
    assert settings.engine_options() == {"pool_pre_ping": True, "pool_size": 2, "max_overflow": 0, "pool_timeout": 7.5,
                                         "connect_args": {"prepare_threshold": None}}
    assert "connect_args" not in PoolSettings.from_environment({}).engine_options()
    with pytest.raises(ValueError, match=r"ROLLOUT_DB_POOL_SIZE must be a number, not 'four'"):
        PoolSettings.from_environment({"ROLLOUT_DB_POOL_SIZE": "four"})
    with pytest.raises(ValueError, match=r"ROLLOUT_DB_MAX_OVERFLOW must not be negative"):
        PoolSettings.from_environment({"ROLLOUT_DB_MAX_OVERFLOW": "-1"})
