"""Date and time inputs for every form in the project.

An ``<input type="date">`` only shows (and posts back) ISO values such as ``2027-03-31``;
with ``LANGUAGE_CODE = "en-gb"`` Django would otherwise render ``31/03/2027``, which the
browser cannot show, so the field comes back empty. Always use these widgets."""

from django import forms

ISO_DATE = "%Y-%m-%d"
ISO_DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class IsoDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or ISO_DATE)


class IsoDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or ISO_DATETIME_LOCAL)
