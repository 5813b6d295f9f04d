"""Signed invitation tokens: a random key, signed with a timestamp by Django's signing.

The key alone finds the invitation; the signature makes a token that was not issued by
this server (or was altered) fail before any lookup, so nothing about it is guessable.
Expiry is the invitation's `expires_at` (it can be extended), checked by the caller.
"""

import secrets

from django.core import signing

SALT = "cxm.surveys.invitation"
_signer = signing.TimestampSigner(salt=SALT)


class InvalidToken(Exception):
    """The token was tampered with or never issued here."""


def new_key() -> str:
    return secrets.token_urlsafe(18)


def sign_key(key: str) -> str:
    return _signer.sign(key)


def unsign_token(token: str) -> str:
    """The invitation key inside `token`; raises InvalidToken when the signature is bad."""
    try:
        return _signer.unsign(token)
    except signing.BadSignature:
        raise InvalidToken(token) from None
