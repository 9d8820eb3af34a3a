"""The page patterns every template shares: the error summary and the one date format.

`{% error_summary %}` sits once in base.html. It finds every bound form (and formset) with
errors in the page's context, so no view or template has to remember it: GOV.UK's error
summary at the top of the page, one link per message to the field it is about.
"""

from __future__ import annotations

from django import forms, template
from django.forms.formsets import BaseFormSet
from django.template.defaultfilters import date as date_filter

from wellschools.dates import DATE_FORMAT, DATETIME_FORMAT, TIME_FORMAT

register = template.Library()


def _forms_in(value, seen: set[int]):
    if id(value) in seen:
        return
    if isinstance(value, forms.BaseForm):
        seen.add(id(value))
        yield value
    elif isinstance(value, BaseFormSet):
        seen.add(id(value))
        yield value
        for form in value.forms:
            yield from _forms_in(form, seen)
    elif isinstance(value, (list, tuple)):
        for item in value[:200]:
            if isinstance(item, (forms.BaseForm, BaseFormSet)):
                yield from _forms_in(item, seen)


def _field_anchor(bound_field) -> str:
    widget = bound_field.field.widget
    auto_id = bound_field.auto_id
    if not auto_id:
        return ""
    if isinstance(widget, forms.HiddenInput):
        return ""
    # Radio buttons and checkbox groups have no element with the field's own id: link to
    # the first option, as Django's labels do.
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return f"{auto_id}_0"
    if isinstance(widget, forms.MultiWidget):
        return f"{auto_id}_0"
    return auto_id


def form_errors(context) -> list[dict]:
    """Every error of every bound form in the context: [{"message", "anchor"}]."""
    seen: set[int] = set()
    errors: list[dict] = []
    for value in context.flatten().values():
        for item in _forms_in(value, seen):
            if isinstance(item, BaseFormSet):
                if item.is_bound:
                    for message in item.non_form_errors():
                        errors.append({"message": message, "anchor": ""})
                continue
            if not item.is_bound or not item.errors:
                continue
            first_anchor = ""
            for name in item.fields:
                anchor = _field_anchor(item[name])
                if anchor:
                    first_anchor = anchor
                    break
            for message in item.non_field_errors():
                errors.append({"message": message, "anchor": first_anchor})
            for name in item.fields:
                if name not in item.errors:
                    continue
                bound = item[name]
                for message in item.errors[name]:
                    label = bound.label or name
                    errors.append(
                        {
                            "message": message,
                            "label": label,
                            "anchor": _field_anchor(bound) or first_anchor,
                        }
                    )
    return errors


@register.inclusion_tag("_error_summary.html", takes_context=True)
def error_summary(context):
    return {"errors": form_errors(context)}


@register.simple_tag(takes_context=True)
def has_form_errors(context) -> bool:
    return bool(form_errors(context))


@register.filter(expects_localtime=True)
def ukdate(value):
    """31 March 2027."""
    if value in (None, ""):
        return ""
    return date_filter(value, DATE_FORMAT)


@register.filter(expects_localtime=True)
def uktime(value):
    """14:30."""
    if value in (None, ""):
        return ""
    return date_filter(value, TIME_FORMAT)


@register.filter(expects_localtime=True)
def ukdatetime(value):
    """31 March 2027, 14:30."""
    if value in (None, ""):
        return ""
    return date_filter(value, DATETIME_FORMAT)


@register.filter
def session_minutes(seconds) -> int:
    return max(1, round(int(seconds) / 60))


@register.filter(expects_localtime=True)
def ukdaydate(value):
    """Wednesday 31 March 2027 (the same format with the day of the week, for events)."""
    if value in (None, ""):
        return ""
    return date_filter(value, f"l {DATE_FORMAT}")


@register.filter(expects_localtime=True)
def ukdaydatetime(value):
    """Wednesday 31 March 2027, 14:30."""
    if value in (None, ""):
        return ""
    return date_filter(value, f"l {DATETIME_FORMAT}")
