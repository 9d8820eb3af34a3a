"""The one way an app plugs into the platform: it declares its extensions on its
``AppConfig`` in ``apps.py``, as dotted paths, and the platform reads them from there.

    class WellcheckConfig(AppConfig):
        name = "wellcheck"
        panels = [
            Panel("school", "wellcheck/_school_panel.html", "wellcheck.panels.school_panel", 10),
        ]
        documents = ["wellcheck.documents.WELLCHECK_REPORT"]        # DocumentKind objects
        reminder_scanners = ["wellcheck.reminders.remind_actions"]

* ``panels``: boxes on the school, trust and partnership home pages
  (``wellschools.panels.render_panels``); a context function ``(request, obj)`` returns a
  dict for the template, or None to hide the panel for this person.
* ``documents``: generated documents (``wellschools.documents``).
* ``reminder_scanners``: functions the periodic scan runs (``wellschools.reminders``).
* ``demo_data``: functions ``(partnership=, members=, leader_school=)`` that add the app's
  demo data after the partnership's own (``manage.py seed_demo``).

Nothing registers by import side effect, so a lower app never needs to import a higher
one, and the paths are imported only when first used (a web process that never renders a
PDF never imports WeasyPrint).
"""

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Panel:
    page: str  # "school", "trust" or "partnership"
    template: str
    context: str  # dotted path of (request, obj) -> dict | None
    order: int = 50


def _load(item: Any) -> Any:
    return import_string(item) if isinstance(item, str) else item


@cache
def declared(name: str) -> tuple:
    """Everything the installed apps declare under ``name`` on their AppConfig, dotted
    paths imported, in INSTALLED_APPS order."""
    return tuple(
        _load(item) for config in apps.get_app_configs() for item in getattr(config, name, ())
    )


@cache
def load(path: str) -> Any:
    return import_string(path)
