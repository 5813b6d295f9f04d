"""Settings for the test suite: fast hashing, in-memory e-mail, immediate tasks."""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
AXES_ENABLED = True
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
STATIC_ROOT = None  # type: ignore[assignment]  # WhiteNoise serves from the finders in tests; no collected directory
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
