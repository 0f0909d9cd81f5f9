"""A user's whole data as one versioned JSON file: `mainthing export` and `mainthing restore`.

The file:

    {"format": "mainthing-export", "version": 4, "exported_at": "2026-11-27T09:00:00Z",
     "user": {"email", "name", "time_zone", "goal_iga_minutes", "goal_conversations",
              "nudge_minutes", "fill_threshold", "fill_window_days", "phone_region",
              "currency"},
     "categories": [{"name", "tier", "color", "archived", "position"}, ...],
     "routine": [{"tier", "label", "weekdays": "1111110", "start": "19:00", "end": "21:00",
                  "time_zone", "valid_from": date | null, "valid_until": date | null,
                  "exceptions": [{"date", "skip", "start", "end", "note"}, ...]}, ...],
     "sources": [{"category": name | null, "campaign", "key", "archived",
                  "spend": [{"date", "amount": "12.50", "note"}, ...]}, ...],
     "booking_page": {"slug", "enabled", "intro", "lengths": [15, 30], "step_minutes",
                      "notice_minutes", "horizon_days", "buffer_minutes", "max_per_day",
                      "phone_question", "ask_note", "cutoff_minutes", "reminders": [1440, 60],
                      "remind_user_minutes", "default_source": key | null, "daily_cap"} | null,
     "prospects": [{"name", "email", "phone": E.164, "social", "time_zone", "source": key,
                    "stage", "follow_up_on": date | null, "tags": [...], "notes",
                    "import_key": text | null, "created_at", "stage_changed_at",
                    "last_contacted_at": ... | null,
                    "events": [{"kind", "at", "from_stage", "to_stage", "text"}, ...],
                    "activities": [entry index, ...]}, ...],
     "appointments": [{"prospect_name", "start", "end", "booked_start", "booked_end", "status",
                       "made_via", "note",
                       "outside_blocks", "sequence", "activity": index | null,
                       "prospect": index | null, "source": key | null, "prospect_time_zone",
                       "changes": [{"kind", "by", "at", "from_start", "to_start"}, ...]}, ...],
     "callback_requests": [{"at", "prospect": index | null, "source": key | null}, ...],
     "income": [{"date", "amount": "150.00", "currency", "kind", "prospect": index | null,
                 "note"}, ...],
     "column_mappings": [{"headers_key", "mapping": {...}}, ...],
     "call_scripts": [{"stage", "text"}, ...],
     "call_sessions": [{"started_at", "last_seen_at", "ended_at": ... | null,
                        "source": key | null, "skipped": [prospect index, ...],
                        "attempts": [{"prospect": index | null, "outcome", "started_at",
                                      "ended_at", "activity": index | null,
                                      "appointment": index | null,
                                      "contacted_before": ... | null}, ...]}, ...],
     "activities": [{"category": name, "start", "end": ... | null, "note", "prospect_name",
                     "origin", "iga_override", "import_key"}, ...]}

Instants are ISO 8601 in UTC with a "Z"; amounts are decimal text; entries name their category
and prospects their source's key. Links are indexes (0-based) into another list: an appointment
that was completed points at its entry in "activities", the entries spent on a prospect are
listed with the prospect, and appointments and income point at their prospect in "prospects".
Version 1 files (before prospects) have no sources, prospects, income or column mappings and
restore as they did; version 3 files (before the call queue) have no call scripts or
sessions; version 2 files (before the booking page) have no page, call-back requests
or appointment sources, zones and history, and restore without them. A restored page whose
slug another account here has gets a free one, and the restore's notes say so. Lead imports in
progress are not part of the file, nor are the booking page's slot holds, manage links
(secrets), reminders and mails (transient). Both directions
stream: an export writes one entry per line as the database hands them over, and a restore
parses the activities array element by element (`core.jsonstream`), so a million entries
never sit in memory at once. Day totals are not in the file; a restore counts them. Row
bookkeeping (ids, created/updated stamps, the password hash) is not part of the user's data
and stays out.

Sits above the apps, like onboarding and the CLI. `format` holds the names above, `exporting`
writes a file, `checks` reads its values, `restoring` writes the entries and publishes them
with the other `parts` (the booking page's in `bookingparts`, the call queue's in
`callparts`).
"""

from .exporting import export_user
from .restoring import restore_user

__all__ = ["export_user", "restore_user"]
