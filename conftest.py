"""Shared pytest fixtures: users of every role and logged-in clients."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cxm.accounts.models import User
from cxm.accounts.roles import Role


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def make_user(db):
    def make(role: str = Role.ADMINISTRATOR, username: str | None = None, **extra) -> User:
        name = username or f"{role}-{User.objects.count() + 1}"
        return User.objects.create_user(username=name, password="pw-Secret-123", role=role, **extra)

    return make


@pytest.fixture
def admin_user(make_user) -> User:
    return make_user(Role.ADMINISTRATOR, username="admin-user")


@pytest.fixture
def client_for(make_user):
    """`client_for(role)` -> a Django test client signed in as a new user of that role."""

    def make(role: str = Role.ADMINISTRATOR, **extra) -> Client:
        client = Client()
        client.force_login(make_user(role, **extra))
        return client

    return make


@pytest.fixture
def api_for(make_user):
    """`api_for(role)` -> a DRF APIClient authenticated by a token of a new user of that role."""
    from rest_framework.authtoken.models import Token

    def make(role: str = Role.ADMINISTRATOR, **extra) -> APIClient:
        user = make_user(role, **extra)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        return client

    return make


@pytest.fixture(autouse=True)
def _fresh_case_catalogue_cache():
    """Rows of one test must not be served from the per-process cache to the next."""
    from cxm.cases import catalogue_cache

    catalogue_cache.clear()
    yield
    catalogue_cache.clear()
