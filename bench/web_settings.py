"""Mainthing's own settings with the bench's URLconf (bench/web_urls.py): the web bench's
gunicorn runs the product unchanged plus one bare view to measure against."""

from mainthing.settings import *  # noqa: F403

ROOT_URLCONF = "bench.web_urls"
