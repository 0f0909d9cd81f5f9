"""A second user at work while an import runs, as its own process: adds a time entry for
OTHER_EMAIL every WRITE_EVERY seconds until STOP_FILE appears (at most LIMIT writes), and
counts IMPORTER_EMAIL's visible entries before each write. Prints one JSON object:
{"writes": [[unix time, "ok" | error text], ...], "seen": [count, ...]}.

Run by tests/core/test_import_concurrency.py; it sets up Django itself, on the database the
environment names."""

import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mainthing.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from mainthing.accounts.models import User  # noqa: E402
from mainthing.activity import services  # noqa: E402
from mainthing.activity.models import Activity, Category  # noqa: E402

other_email, importer_email, ready_file, stop_file = sys.argv[1:5]
WRITE_EVERY = 0.05
LIMIT = 2000

other = User.objects.get(email=other_email)
importer = User.objects.get(email=importer_email)
category = Category.objects.filter(user=other).first()
start = timezone.now() - timedelta(days=3)
writes, seen = [], []
Path(ready_file).write_text("ready")
for n in range(LIMIT):
    if Path(stop_file).exists():
        break
    seen.append(Activity.objects.filter(user=importer).count())
    began = start + timedelta(minutes=n)
    try:
        services.add_entry(
            other, category, start=began, end=began + timedelta(seconds=30), now=timezone.now()
        )
        writes.append([time.time(), "ok"])
    except Exception as error:  # any error is what the test hunts
        writes.append([time.time(), repr(error)])
        connection.close()
    time.sleep(WRITE_EVERY)
print(json.dumps({"writes": writes, "seen": seen}))
