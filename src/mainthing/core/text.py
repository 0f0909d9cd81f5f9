"""Small text helpers shared by the apps; pure functions."""

from django.utils.text import slugify


def short_slug(text: str, limit: int) -> str:
    """`text` as a slug of at most `limit` characters, cut at a word boundary
    ("network-marketing-forum-signature" → "network-marketing-forum", not "…-forum-sign"); a
    single word longer than the limit is cut where it must be."""
    slug = slugify(text)
    if len(slug) <= limit:
        return slug
    boundary = slug.rfind("-", 0, limit + 1)
    return slug[:boundary] if boundary > 0 else slug[:limit]
