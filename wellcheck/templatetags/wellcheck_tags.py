from django import template

from wellcheck.selectors import score_band

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def band(percent):
    return score_band(percent)


@register.filter
def spaced(value):
    return str(value).replace("_", " ")


@register.filter
def sub(value, other):
    return value - other


@register.filter
def has_strengths(pillar_results):
    return any(r.strengths for r in pillar_results)


@register.filter
def has_growth(pillar_results):
    return any(r.growth for r in pillar_results)
