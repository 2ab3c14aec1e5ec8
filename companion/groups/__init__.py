"""Group sessions: weekly schedules with exceptions, RSVPs, attendance, program progress,
the pre-group view and calendar files. One module a concern:

- `recurrence`: a series' rule and its occurrences (moves and cancellations applied), the
  words for a schedule and a session's time; the note on time zones is there.
- `attendance`: who is expected at a session, the (admin-assigned) facilitator rule, the sheet
  and marking.
- `rsvps`: a client's upcoming sessions, their answers and the seats taken.
- `scheduling`: series and facilitators (admins), one-session changes (admins and a group's
  facilitator), overlap checks.
- `client_progress`: "we missed you", program progress, attendance counts for a caseload.
- `pregroup_view`: what a therapist sees before a group.
- `calendar`: the daily check-in reminder and .ics files.
- `demo`: the demo clinic's schedule.

Imports run one way: `recurrence` ← `attendance` ← `rsvps` ← `scheduling`, and the last four
stand on those. Names with a leading underscore are shared between these modules only. This
file re-exports what pages, `companion/ui`, other services, bench/ and the demo use; tests of
the rest import from the module that holds it.
"""
from companion.groups.attendance import (ABSENT, ATTENDANCE_LABELS, EXCUSED, MARK_EARLY_MINUTES,
                                         PRESENT, attendance_sheet, leads, mark_attendance,
                                         my_clients_expected, my_sessions)
from companion.groups.calendar import calendar_file, reminder, set_reminder
from companion.groups.client_progress import Progress, attendance_counts, missed_note, progress
from companion.groups.demo import seed_demo
from companion.groups.pregroup_view import pregroup
from companion.groups.recurrence import (MOVED, SCHEDULED, WEEKDAY_NAMES, Occurrence, describe,
                                         occurrences, parse_key, rule_until, when)
from companion.groups.rsvps import (GOING, NOT_GOING, REASON_MAX, going_counts, names,
                                    next_for_client, rsvp, upcoming_for_client)
from companion.groups.scheduling import (CAPACITY_MAX, LINK_MAX, NOTE_MAX, TITLE_MAX, TOPIC_MAX,
                                         SeriesInput, all_series, cancel_occurrence,
                                         confirm_facilitator, delete_series, facilitators,
                                         led_series, move_occurrence, restore_occurrence,
                                         schedule, schedule_series, update_series)

__all__ = [
    # recurrence
    "MOVED", "SCHEDULED", "WEEKDAY_NAMES", "Occurrence", "describe", "occurrences",
    "parse_key", "rule_until", "when",
    # scheduling
    "CAPACITY_MAX", "LINK_MAX", "NOTE_MAX", "TITLE_MAX", "TOPIC_MAX", "SeriesInput",
    "all_series", "cancel_occurrence", "confirm_facilitator", "delete_series", "facilitators",
    "led_series", "move_occurrence", "restore_occurrence", "schedule", "schedule_series",
    "update_series",
    # rsvps
    "GOING", "NOT_GOING", "REASON_MAX", "going_counts", "names", "next_for_client", "rsvp",
    "upcoming_for_client",
    # attendance
    "ABSENT", "ATTENDANCE_LABELS", "EXCUSED", "MARK_EARLY_MINUTES", "PRESENT",
    "attendance_sheet", "leads", "mark_attendance", "my_clients_expected", "my_sessions",
    # client_progress, pregroup_view, calendar, demo
    "Progress", "attendance_counts", "missed_note", "progress", "pregroup", "calendar_file",
    "reminder", "set_reminder", "seed_demo",
]
