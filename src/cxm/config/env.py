"""Reading settings from the environment, with typed helpers and safe defaults."""

import os


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DATABASE_CACHE_TABLE = "cxm_cache"


def cache_from_url(url: str) -> dict[str, object]:
    """The default cache from `CACHE_URL`, shared by every worker of the site.

    "" or "db": the database cache (table `cxm_cache`, created by a migration: works with
    nothing else installed); "locmem": per process (tests); "redis://…" / "rediss://…";
    "memcached://host:port" (pymemcache).
    """
    url = url.strip()
    if url in ("", "db"):
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": DATABASE_CACHE_TABLE,
        }
    if url == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if url.startswith(("redis://", "rediss://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if url.startswith("memcached://"):
        return {
            "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
            "LOCATION": url.removeprefix("memcached://"),
        }
    raise ValueError(f"CACHE_URL: unknown cache {url!r} (db, locmem, redis://, memcached://)")
