"""WSGI entry point (waitress, gunicorn, uWSGI): ``workbook_tools.portal.wsgi:application``."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbook_tools.portal.settings")
application = get_wsgi_application()
