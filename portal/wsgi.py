"""WSGI entry point (gunicorn portal.wsgi).

gunicorn runs no system checks, as manage.py does: a broken schema file would answer 500 on every
page. They run here, as the application loads, so a worker that cannot serve refuses to boot and
gunicorn stops with the same message as manage.py (the file, the field, the problem).
"""

import os

from django.core.management import call_command
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()
call_command("check", fail_level="ERROR", verbosity=0)
