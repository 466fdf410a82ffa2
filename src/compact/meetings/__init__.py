"""Meetings of the Compact's bodies and their follow-up: agendas, attendance, minutes, decisions,
action items, calendars (iCalendar feeds), notifications and meeting packs (PDF)."""
