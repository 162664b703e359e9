"""argon2id password hashing, at the cost the app's PASSWORD_HASH_PARAMETERS set."""
import dataclasses
import functools

from argon2 import Parameters, PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


@functools.cache
def _hasher(fields: tuple) -> tuple[PasswordHasher, str]:
    hasher = PasswordHasher.from_parameters(Parameters(*fields))
    # Verifying against this dummy keeps the response time the same for unknown emails.
    return hasher, hasher.hash("not-a-real-password")


def _configured() -> tuple[PasswordHasher, str]:
    # Parameters is an unhashable dataclass: its fields are the cache key.
    return _hasher(dataclasses.astuple(current_app.config["PASSWORD_HASH_PARAMETERS"]))


def hash_password(password: str) -> str:
    hasher, _ = _configured()
    return hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    hasher, dummy_hash = _configured()
    try:
        return hasher.verify(stored_hash or dummy_hash, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False
