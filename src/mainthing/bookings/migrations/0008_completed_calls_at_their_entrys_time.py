"""Calls completed before 0006 still sit at their booked time, though each one's income entry
holds the time it really took. They move to the entry's time, the booked time kept beside it,
as `bookings.services.complete` does for every call completed since. Nothing else is touched:
a completed call is left out of the no-overlap rules, so the move can't collide."""

from django.db import migrations

CHUNK = 1000


def move_to_real_time(apps, schema_editor):
    Appointment = apps.get_model("bookings", "Appointment")
    stale = (
        Appointment.objects.filter(
            status="completed", booked_start__isnull=True, activity__isnull=False
        )
        .select_related("activity")
        .order_by("pk")
    )
    moved = []
    for call in stale.iterator(chunk_size=CHUNK):
        real = (call.activity.start, call.activity.end)
        if real == (call.start, call.end):
            continue
        call.booked_start, call.booked_end = call.start, call.end
        call.start, call.end = real
        moved.append(call)
        if len(moved) == CHUNK:
            _save(Appointment, moved)
            moved = []
    _save(Appointment, moved)


def _save(Appointment, calls) -> None:
    Appointment.objects.bulk_update(
        calls, ["start", "end", "booked_start", "booked_end"], batch_size=CHUNK
    )


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0006_fill_day_total_insight_counters"),
        ("bookings", "0007_booking_page"),
    ]

    # Going back leaves the calls at their real time: 0006's schema holds them either way.
    operations = [migrations.RunPython(move_to_real_time, migrations.RunPython.noop)]
