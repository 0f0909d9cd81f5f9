import hashlib
import re

import pytest

from mainthing.core import tokens


def test_make_token_is_url_safe_and_carries_256_bits_by_default():
    raw = tokens.make_token()
    # 32 bytes in unpadded base64url are 43 characters of [A-Za-z0-9_-].
    assert (len(raw), bool(re.fullmatch(r"[A-Za-z0-9_-]+", raw))) == (43, True)


def test_make_token_never_repeats():
    assert len({tokens.make_token() for _ in range(1000)}) == 1000


def test_make_token_with_128_bits_is_allowed():
    assert len(tokens.make_token(nbytes=16)) == 22


def test_make_token_refuses_fewer_than_128_bits():
    with pytest.raises(ValueError, match=r"at least 16 bytes \(128 bits\)"):
        tokens.make_token(nbytes=15)


def test_hash_token_is_the_sha256_hex_digest():
    assert tokens.hash_token("abc") == hashlib.sha256(b"abc").hexdigest()
    assert len(tokens.hash_token(tokens.make_token())) == tokens.HASH_LENGTH


def test_token_matches_its_own_hash():
    raw = tokens.make_token()
    assert tokens.token_matches(raw, tokens.hash_token(raw)) is True


@pytest.mark.parametrize(
    "raw",
    ["", None, "x" * (tokens.MAX_TOKEN_LENGTH + 1), "another-token"],
    ids=["empty", "none", "too long", "another token"],
)
def test_token_matches_refuses_anything_else(raw):
    stored = tokens.hash_token(tokens.make_token())
    assert tokens.token_matches(raw, stored) is False


def test_token_matches_refuses_a_stored_value_that_is_not_a_hash():
    raw = tokens.make_token()
    assert tokens.token_matches(raw, raw) is False


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("", False), (None, False), ("a", True), ("a" * 100, True), ("a" * 101, False)],
)
def test_is_well_formed_bounds_the_length(raw, expected):
    assert tokens.is_well_formed(raw) is expected
