"""The shared cache's backend: Django's Redis cache with one client per process.

Django keeps a cache object per thread, and under ASGI every request runs on a thread of its
own, so each request made a new Redis client with a new connection pool: a TCP connect and
redis-py's handshake (HELLO, client info, its version read from the package metadata) for
the join page's throttle check, on every join of a storm (7 % of a Daphne process's CPU in a
200-person join storm, py-spy). redis-py's client and pool are thread-safe, so the threads
share one, per server list and options.
"""

import threading

from django.core.cache.backends.redis import RedisCache
from django.utils.functional import cached_property

_clients = {}
_lock = threading.Lock()


class SharedRedisCache(RedisCache):
    @cached_property
    def _cache(self):
        key = (tuple(self._servers), repr(sorted(self._options.items())))
        with _lock:
            client = _clients.get(key)
            if client is None:
                client = _clients[key] = self._class(self._servers, **self._options)
        return client
