"""Example values of the shipped schema, shared by tests and benchmarks (no Django needed)."""

# create-ticket.txt's example values, as the form takes them (a leaf under 204 for level 3).
EXAMPLE_POST = {
    "homepage": "",  # the honeypot, empty as a person leaves it
    "user_email": "customer@example.com",
    "title": "Test Ticket",
    "description": "Ticket Description",
    "cf_96": "Field value of type (Text Field)",
    "cf_97": "Field value of type (Text Area)",
    "cf_98": "1",
    "cf_99": "192",
    "cf_100_0": "198",
    "cf_100_1": "204",
    "cf_100_2": "211",
    "cf_101": "2027-01-01",
    "cf_102": "09:00",
    "cf_103": "name@example.com",
    "cf_104": "on",
    "cf_105": "on",
    "cf_106": "45928",
}
