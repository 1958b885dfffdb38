"""Russian: Django's own date (the day as a number, the month's genitive, the year and its
abbreviation); the time with two digits for the hour, as a browser writes it (Django: "9:05")."""

DATE_FORMAT = "j E Y г."
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j E Y г., H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
MONTH_DAY_FORMAT = "j E"
