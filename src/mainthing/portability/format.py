"""The parts and fields of an export file (see the package's docstring)."""

import re

from mainthing.accounts import services as account_services
from mainthing.core.importing import CHUNK_SIZE

FORMAT = "mainthing-export"
VERSION = 4
# Versions this code restores: 1 is the same file without prospects and money, 2 without the
# booking page, the appointments' sources, zones and history, and call-back requests, 3
# without the call queue's scripts and sessions.
READABLE = (1, 2, 3, 4)
PROFILE_FIELDS = account_services.PROFILE_FIELDS
TOP_LEVEL = (
    "format",
    "version",
    "exported_at",
    "user",
    "categories",
    "routine",
    "sources",
    "booking_page",
    "prospects",
    "appointments",
    "callback_requests",
    "income",
    "column_mappings",
    "call_scripts",
    "call_sessions",
    "activities",
)
REQUIRED = ("format", "version", "user", "categories", "activities")
CATEGORY_FIELDS = ("name", "tier", "color", "archived", "position")
BLOCK_FIELDS = (
    "tier",
    "label",
    "weekdays",
    "start",
    "end",
    "time_zone",
    "valid_from",
    "valid_until",
    "exceptions",
)
EXCEPTION_FIELDS = ("date", "skip", "start", "end", "note")
APPOINTMENT_FIELDS = (
    "prospect_name",
    "start",
    "end",
    "booked_start",
    "booked_end",
    "status",
    "made_via",
    "note",
    "outside_blocks",
    "sequence",
    "activity",
    "prospect",
    "source",
    "prospect_time_zone",
    "changes",
)
CHANGE_FIELDS = ("kind", "by", "at", "from_start", "to_start")
BOOKING_PAGE_FIELDS = (
    "slug",
    "enabled",
    "intro",
    "lengths",
    "step_minutes",
    "notice_minutes",
    "horizon_days",
    "buffer_minutes",
    "max_per_day",
    "phone_question",
    "ask_note",
    "cutoff_minutes",
    "reminders",
    "remind_user_minutes",
    "default_source",
    "daily_cap",
)
CALLBACK_FIELDS = ("at", "prospect", "source")
SOURCE_FIELDS = ("category", "campaign", "key", "archived", "spend")
SPEND_FIELDS = ("date", "amount", "note")
PROSPECT_FIELDS = (
    "name",
    "email",
    "phone",
    "social",
    "time_zone",
    "source",
    "stage",
    "follow_up_on",
    "tags",
    "notes",
    "import_key",
    "created_at",
    "stage_changed_at",
    "last_contacted_at",
    "events",
    "activities",
)
EVENT_FIELDS = ("kind", "at", "from_stage", "to_stage", "text")
INCOME_FIELDS = ("date", "amount", "currency", "kind", "prospect", "note")
MAPPING_FIELDS = ("headers_key", "mapping")
ACTIVITY_FIELDS = (
    "category",
    "start",
    "end",
    "note",
    "prospect_name",
    "origin",
    "iga_override",
    "import_key",
)
SCRIPT_FIELDS = ("stage", "text")
SESSION_FIELDS = ("started_at", "last_seen_at", "ended_at", "source", "skipped", "attempts")
ATTEMPT_FIELDS = (
    "prospect",
    "outcome",
    "started_at",
    "ended_at",
    "activity",
    "appointment",
    "contacted_before",
)
CHUNK = CHUNK_SIZE
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
_WEEKDAYS = re.compile(r"[01]{7}")
_KEY = re.compile(r"[-a-zA-Z0-9_]{1,32}")
_CURRENCY = re.compile(r"[A-Z]{3}")
