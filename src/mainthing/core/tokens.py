"""Secret tokens (the calendar feed's URL today; manage links, API tokens and webhook secrets
next): made from `secrets`, stored only as a hash, compared in constant time.

A plain SHA-256 is enough for a random token of 128 bits or more (there is nothing to
brute-force), and unlike an HMAC keyed with SECRET_KEY it keeps every issued token working when
the key is rotated. A token is best found by its hash through a unique index, so no secret is
compared in Python at all; where a stored hash is fetched by another key (a webhook's source,
say), `token_matches` compares in constant time so the answer's timing reveals nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

# 256 bits by default; never fewer than 128.
TOKEN_BYTES = 32
MIN_TOKEN_BYTES = 16
# No token we make is longer (43 characters for 32 bytes): a longer one is refused before it
# is hashed, so a caller can't make us hash megabytes.
MAX_TOKEN_LENGTH = 100
HASH_LENGTH = 64


def make_token(*, nbytes: int = TOKEN_BYTES) -> str:
    """A new URL-safe secret token with `nbytes` random bytes from `secrets`."""
    if nbytes < MIN_TOKEN_BYTES:
        raise ValueError(f"A secret token needs at least {MIN_TOKEN_BYTES} bytes (128 bits).")
    return secrets.token_urlsafe(nbytes)


def hash_token(raw: str) -> str:
    """The token's SHA-256 as 64 hex digits: what is stored instead of the token."""
    return hashlib.sha256(raw.encode()).hexdigest()


def is_well_formed(raw: str | None) -> bool:
    """Whether `raw` could be a token we made: not empty and not absurdly long."""
    return bool(raw) and len(raw) <= MAX_TOKEN_LENGTH


def token_matches(raw: str | None, stored_hash: str) -> bool:
    """Whether `raw` is the token behind `stored_hash`, compared in constant time."""
    if not is_well_formed(raw) or len(stored_hash) != HASH_LENGTH:
        return False
    return hmac.compare_digest(hash_token(raw), stored_hash)
