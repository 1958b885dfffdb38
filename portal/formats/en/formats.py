"""English: "December 5, 2026", "December 5, 2026, 18:00" (Django's "Dec. 5, 2026" abbreviates
the month as no browser does)."""

DATE_FORMAT = "F j, Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "F j, Y, H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
