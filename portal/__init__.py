"""The ticket portal: a Django site in front of a helpdesk's tickets API."""

__version__ = "0.1.0"
