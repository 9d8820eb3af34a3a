from django import template

register = template.Library()

try:  # Once base.html renders the platform's error summary, pages must not add a second.
    from wellschools.templatetags.wellschools_tags import error_summary as _platform_summary  # noqa: F401

    BASE_HAS_SUMMARY = True
except ImportError:
    BASE_HAS_SUMMARY = False


@register.inclusion_tag("staffsurvey/_error_summary.html")
def survey_error_summary(*forms, force=False):
    """GOV.UK's error summary for these forms (links to the fields), unless base.html
    already shows one; ``force`` for pages that do not extend base.html."""
    errors = []
    if force or not BASE_HAS_SUMMARY:
        for form in forms:
            if not form or not getattr(form, "errors", None):
                continue
            for message in form.non_field_errors():
                errors.append({"message": message, "anchor": ""})
            for name, field in form.fields.items():
                if name in form.errors:
                    bound = form[name]
                    anchor = bound.auto_id
                    if field.widget.__class__.__name__ == "RadioSelect":
                        anchor = f"{anchor}_0"
                    for message in form.errors[name]:
                        errors.append({"message": message, "anchor": anchor, "label": bound.label})
    return {"errors": errors}


@register.filter
def score_band(score) -> str:
    """A word for a score out of 5, so colour is never the only cue."""
    if score is None:
        return ""
    if score >= 4:
        return "strong"
    if score >= 3.5:
        return "good"
    if score >= 3:
        return "mixed"
    return "a concern"


@register.filter
def signed(value) -> str:
    if value is None:
        return "—"
    return f"+{value}" if value > 0 else f"{value}"
