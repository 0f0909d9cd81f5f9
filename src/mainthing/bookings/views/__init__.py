"""The bookings pages, one module per area: today (Today and its follow-up actions), calendar
(the week), appointments (book, move, complete, cancel), outcome (the screen after a call) and
feed (the calendar feed and its URL)."""
