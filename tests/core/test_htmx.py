import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from mainthing.core import htmx


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({"HX-Request": "true"}, True), ({}, False), ({"HX-Request": "false"}, False)],
)
def test_is_htmx_reads_the_header_htmx_sends(headers, expected):
    assert htmx.is_htmx(RequestFactory().get("/", headers=headers)) is expected


def test_template_for_gives_htmx_the_partial_and_a_plain_request_the_page():
    from_htmx = RequestFactory().get("/", headers={"HX-Request": "true"})
    plain = RequestFactory().get("/")
    assert (
        htmx.template_for(from_htmx, "prospects/list.html", "results"),
        htmx.template_for(plain, "prospects/list.html", "results"),
    ) == ("prospects/list.html#results", "prospects/list.html")


def test_retarget_sets_the_target_and_the_swap():
    response = htmx.retarget(HttpResponse("x"), "#import-status")
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#import-status", "outerHTML")
