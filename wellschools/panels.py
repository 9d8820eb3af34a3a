"""Panels that later apps add to the home pages (school, trust, partnership).

The partnership app renders these pages but must not import the apps built on it, so each
app registers its panels in its AppConfig.ready():

    register_panel("school", "wellcheck/_school_panel.html", school_panel_context, order=10)

A context function receives (request, obj) and returns a dict for the template, or None
to hide the panel for this person.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Panel:
    page: str  # "school", "trust", "partnership" or "landing" (obj is None)
    template: str
    context: Callable[[Any, Any], dict | None]
    order: int = 50


_panels: list[Panel] = []


def register_panel(page: str, template: str, context: Callable, *, order: int = 50) -> None:
    panel = Panel(page, template, context, order)
    if panel not in _panels:
        _panels.append(panel)


def render_panels(page: str, request, obj) -> SafeString:
    html = []
    for panel in sorted((p for p in _panels if p.page == page), key=lambda p: p.order):
        context = panel.context(request, obj)
        if context is not None:
            html.append(render_to_string(panel.template, context, request=request))
    return mark_safe("".join(html))  # noqa: S308 - rendered by our own templates
