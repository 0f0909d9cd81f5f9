"""The htmx conventions every view shares: a request from htmx gets a named partial of the
page's template (`"page.html#partial"`), a plain request the whole page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx sent the request (it then gets a partial, not the whole page)."""
    return request.headers.get("HX-Request") == "true"


def template_for(request: HttpRequest, page: str, partial: str) -> str:
    """`page#partial` for an htmx request, `page` for a plain one."""
    return f"{page}#{partial}" if is_htmx(request) else page


def retarget(response: HttpResponse, target: str, *, swap: str = "outerHTML") -> HttpResponse:
    """Tells htmx to swap the response into `target` (a CSS selector) instead of the element
    that asked, e.g. when the answer is a larger part of the page than the request expected."""
    response["HX-Retarget"] = target
    response["HX-Reswap"] = swap
    return response
