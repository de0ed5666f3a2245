"""The shared cache's Redis backend keeps one client per process (config/cache.py): Django
makes a cache object per thread, and under ASGI every request has a thread of its own."""

import threading

from django.core.cache.backends.redis import RedisCacheClient

from config.cache import SharedRedisCache

PARAMS = {"OPTIONS": {"db": 12}}


def test_every_threads_cache_object_shares_one_redis_client():
    clients = []

    def one_request():
        cache = SharedRedisCache("redis://127.0.0.1:6379/12", PARAMS)  # per thread, as Django
        clients.append(cache._cache)

    threads = [threading.Thread(target=one_request) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert isinstance(clients[0], RedisCacheClient)
    assert all(client is clients[0] for client in clients)


def test_other_servers_or_options_get_their_own_client():
    first = SharedRedisCache("redis://127.0.0.1:6379/12", PARAMS)._cache
    assert SharedRedisCache("redis://127.0.0.1:6379/13", PARAMS)._cache is not first
    other_options = {"OPTIONS": {"db": 13}}
    assert SharedRedisCache("redis://127.0.0.1:6379/12", other_options)._cache is not first
