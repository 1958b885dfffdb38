"""How the portal writes dates and times: one date format and one date-time format a language,
on every page (FORMAT_MODULE_PATH; what a module leaves out is Django's own).

Every page names them (`|date:"DATE_FORMAT"`, `|date:"DATETIME_FORMAT"`), and the short names
are the same formats, so nothing shows a second one. A date-time is the date, ", " and the time
on a 24-hour clock with two digits for the hour. A browser that writes a moment in its own time
zone (static/js/conversation.js) writes the same with Intl.DateTimeFormat: the date with
`{year: "numeric", month: "long", day: "numeric"}`, ", ", the time with
`{hour: "2-digit", minute: "2-digit", hourCycle: "h23"}` (tests/browser/test_formats.py holds
the two to the same text).
"""
