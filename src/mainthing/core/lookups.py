"""The one mechanism behind every `<thing>_for_user(user, pk)` lookup in the apps' queries.py."""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.http import Http404

# The largest id a 64-bit key column holds; a longer number can't name a row (and would make
# the database driver raise instead of finding nothing).
MAX_ID = 2**63 - 1


def owned_or_404(rows: QuerySet, pk: int | str | None, user, *, owner: str = "user") -> Model:
    """The row `pk` of `rows` that `user` owns (through the `owner` lookup path), else Http404.

    Another user's row answers exactly like a missing one, so ids can't be probed; a pk that is
    not a whole number (typed into a URL or a form) is missing too, never a 500, and so is
    any row for a user who is not signed in.
    """
    name = rows.model._meta.verbose_name
    text = "" if pk is None else str(pk)
    if (
        not (text.isascii() and text.isdigit())
        or int(text) > MAX_ID
        or getattr(user, "pk", None) is None
    ):
        raise Http404(f"No such {name}.")
    try:
        return rows.get(pk=int(text), **{owner: user})
    except rows.model.DoesNotExist:
        raise Http404(f"No such {name}.") from None
