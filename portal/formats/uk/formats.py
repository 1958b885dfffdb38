"""Ukrainian: written as Russian is, the day as a number alone: "1 грудня" (Django writes
"01 грудня", as neither Russian nor a browser does)."""

DATE_FORMAT = "j E Y р."
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j E Y р., H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
MONTH_DAY_FORMAT = "j E"
