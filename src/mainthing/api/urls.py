"""The API's one NinjaAPI and its routers, mounted at /api/v1/ by mainthing/urls.py.

Each area is a router of its own module, added here under its prefix: `public` (the booking
page as JSON, no login) now; the token-authenticated routers (`Authorization: Bearer`) join
it the same way, each with its `auth=`.
"""

from django.urls import path
from ninja import NinjaAPI

from . import errors, public

api = NinjaAPI(
    title="Mainthing",
    version="1",
    description="Mainthing's JSON API. The public booking endpoints need no token (docs/api.md).",
    urls_namespace="api",
    # ninja's docs page loads Swagger UI from a CDN, and nothing here is loaded from one: the
    # OpenAPI document is served, for any viewer a reader runs themselves.
    docs_url=None,
)
errors.install(api)
api.add_router("/public", public.router)


def unknown(request, rest: str):
    """Any other address under /api/v1/ answers JSON too, not the HTML 404 page."""
    return errors.not_found()


urlpatterns = [
    path("", api.urls),
    path("<path:rest>", unknown),
]
