"""The JSON API at /api/v1/ (django-ninja), with its OpenAPI document at /api/v1/openapi.json.

Importing this package costs nothing: the NinjaAPI and its routers live in `urls.py`, loaded
only by the URL configuration, so CLI commands that set up the apps never import ninja.
"""
