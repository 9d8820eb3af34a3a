"""``{% panels "page" obj %}``: render the panels later apps registered for a page, from a
lower app's template (which therefore never imports them). With keyword arguments instead
of ``obj`` the context functions receive them as a dict:
``{% panels "accreditation_pillar" school=school pillar=section.pillar %}``."""

from django import template

from wellschools.panels import render_panels

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context, page: str, obj=None, **subject):
    return render_panels(page, context["request"], subject or obj)
