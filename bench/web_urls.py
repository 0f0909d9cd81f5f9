"""The app's URLs plus `/bench-hello`, a bare Django view: the floor every page of the web
bench is compared with, on the same server and middleware stack. Never part of the product."""

from django.http import HttpResponse
from django.urls import path

from mainthing.urls import urlpatterns as app_urlpatterns


def hello(request):
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [path("bench-hello", hello, name="bench-hello"), *app_urlpatterns]
