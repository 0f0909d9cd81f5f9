"""Where a request asks to go next: the one reader of `next`, for every view that takes it.

A `next` is only ever a path on this site ("/prospects/12/"). Anything else, a bare word that
`redirect()` would read as a view name, another site, a scheme, control characters or a path
browsers read as another host ("//evil", "/\\evil"), means the view's own default. The answer
is a plain path string for `HttpResponseRedirect`, never a name to resolve, so reading it can't
fail after a view has written something.
"""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

# Longer than any path of ours with its query string; a longer `next` is not one of ours.
MAX_NEXT_LENGTH = 2000


def is_local_path(target: str, *, request: HttpRequest) -> bool:
    """True when `target` is an absolute path on this site that browsers read the same way."""
    if not target or len(target) > MAX_NEXT_LENGTH or not target.startswith("/"):
        return False
    # "//host" and "/\host" are another site to a browser; control characters (tabs and
    # newlines are dropped by browsers) could turn a path into one.
    if target[1:2] in ("/", "\\") or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return False
    return url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` the request carries (form field, else query string) when it is a path on this
    site, else `default` (a path, or "" for "the view decides")."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if is_local_path(target, request=request) else default
