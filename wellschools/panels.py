"""Panels that later apps add to the home pages (school, trust and partnership).

The partnership app renders these pages but must not import the apps built on it, so each
app declares its panels on its AppConfig (``panels = [Panel(...)]``, see
``wellschools.extensions``); a context function receives (request, obj) and returns a dict
for the template, or None to hide the panel for this person.
"""

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from .extensions import Panel, declared, load

__all__ = ["Panel", "render_panels"]


def render_panels(page: str, request, obj) -> SafeString:
    html = []
    panels = sorted((p for p in declared("panels") if p.page == page), key=lambda p: p.order)
    for panel in panels:
        context = load(panel.context)(request, obj)
        if context is not None:
            html.append(render_to_string(panel.template, context, request=request))
    return mark_safe("".join(html))  # noqa: S308 - rendered by our own templates
