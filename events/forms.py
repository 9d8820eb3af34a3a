"""Forms shape input; the rules live in events.services (their DomainErrors come back to
the field they name)."""

from django import forms

from wellschools.widgets import IsoDateTimeInput

from .models import Attendee, Event
from .services import MESSAGE_AUDIENCES, AttendeeData

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M"]
LONDON_HELP = "UK time."


def _datetime_field(label: str, *, required: bool = True, help_text: str = LONDON_HELP):
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=DATETIME_FORMATS,
        help_text=help_text,
        widget=IsoDateTimeInput(),
    )


class EventForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What happens, who it is for, what to bring.",
    )
    venue_name = forms.CharField(
        label="Venue", max_length=200, required=False, help_text="Leave empty for online only."
    )
    venue_address = forms.CharField(
        label="Venue address", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    online_url = forms.URLField(
        label="Online link",
        required=False,
        assume_scheme="https",
        help_text="For an online or hybrid event: the link to join.",
    )
    starts_at = _datetime_field("Starts")
    ends_at = _datetime_field("Ends")
    capacity = forms.IntegerField(label="Places", min_value=1)
    max_places_per_school = forms.IntegerField(
        label="Most places one school may take",
        min_value=1,
        required=False,
        help_text="Counts booked and waiting places. Leave empty for no limit.",
    )
    audience = forms.ChoiceField(
        label="Who may book", choices=Event.Audience.choices, widget=forms.RadioSelect
    )
    booking_opens_at = _datetime_field(
        "Booking opens", required=False, help_text="UK time. Empty: as soon as it is published."
    )
    booking_closes_at = _datetime_field(
        "Booking closes", required=False, help_text="UK time. Empty: when the event starts."
    )
    cancellation_deadline = _datetime_field(
        "Bookers may change or cancel until",
        required=False,
        help_text="UK time. Empty: until the event starts. After it, only coordinators can.",
    )


class CancelEventForm(forms.Form):
    reason = forms.CharField(
        label="Why is it cancelled?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sent to everyone who booked or is waiting.",
    )


class AttendeeForm(forms.Form):
    name = forms.CharField(
        label="Full name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    email = forms.EmailField(
        label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    role = forms.CharField(
        label="Role", max_length=150, required=False, help_text="For example PE lead."
    )
    dietary_needs = forms.CharField(label="Dietary needs", max_length=300, required=False)
    access_needs = forms.CharField(label="Access needs", max_length=300, required=False)

    def __init__(self, *args, online: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if online:
            # Nobody eats at an online event: do not ask.
            del self.fields["dietary_needs"]

    def to_data(self) -> AttendeeData:
        return AttendeeData(**self.cleaned_data)


MAX_GROUP = 50

AttendeeFormSet = forms.formset_factory(
    AttendeeForm, extra=0, min_num=1, validate_min=True, max_num=MAX_GROUP, validate_max=True
)


def attendee_formset(data=None, *, rows: int = 1, add_row: bool = False, online: bool = False):
    """The people of a booking. Without JavaScript, "Add another person" posts the form and
    gets it back with one more row and nothing typed lost (no errors shown yet). An online
    event does not ask for dietary needs."""
    form_kwargs = {"online": online}
    if data is None:
        return forms.formset_factory(AttendeeForm, extra=rows)(
            prefix="attendees", form_kwargs=form_kwargs
        )
    data = data.copy()
    # Every row may be left empty except the first (validate_min); typed rows are checked.
    data["attendees-INITIAL_FORMS"] = "0"
    if add_row:
        count = _row_count(data)
        typed = [
            {field: data.get(f"attendees-{i}-{field}", "") for field in AttendeeForm.base_fields}
            for i in range(count)
        ]
        return forms.formset_factory(AttendeeForm, extra=1)(
            prefix="attendees", initial=typed[: MAX_GROUP - 1], form_kwargs=form_kwargs
        )
    return AttendeeFormSet(data, prefix="attendees", form_kwargs=form_kwargs)


def _row_count(data) -> int:
    try:
        return max(0, min(int(data.get("attendees-TOTAL_FORMS", "1")), MAX_GROUP))
    except ValueError:
        return 1


class BookingForm(forms.Form):
    booking_for = forms.ChoiceField(label="Booking for", widget=forms.RadioSelect)
    organisation = forms.CharField(
        label="Organisation",
        max_length=255,
        required=False,
        help_text="If you are not booking for a school or trust: your organisation, or your "
        "own name.",
    )

    def __init__(self, *args, schools, trusts, allow_other: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(f"school:{s.pk}", s.name) for s in schools]
        choices += [(f"trust:{t.pk}", f"{t.name} (the trust)") for t in trusts]
        if allow_other:
            choices.append(("other", "Another organisation, or myself"))
        else:
            del self.fields["organisation"]
        self.fields["booking_for"].choices = choices
        if len(choices) == 1:
            self.fields["booking_for"].initial = choices[0][0]
        self.schools = {s.pk: s for s in schools}
        self.trusts = {t.pk: t for t in trusts}

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("booking_for", "")
        cleaned["school"] = cleaned["trust"] = None
        if choice.startswith("school:"):
            cleaned["school"] = self.schools.get(int(choice.split(":")[1]))
        elif choice.startswith("trust:"):
            cleaned["trust"] = self.trusts.get(int(choice.split(":")[1]))
        elif choice == "other" and not cleaned.get("organisation", "").strip():
            self.add_error("organisation", "Give your organisation's name, or your own name.")
        return cleaned


class SubstituteForm(AttendeeForm):
    pass


class RegisterForm(forms.Form):
    """One radio group per attendee: the register."""

    CHOICES = [("", "Not marked"), *Attendee.Attendance.choices]

    def __init__(self, *args, attendees: list[Attendee], **kwargs):
        super().__init__(*args, **kwargs)
        self.attendees = attendees
        for attendee in attendees:
            self.fields[f"mark_{attendee.pk}"] = forms.ChoiceField(
                label=attendee.name,
                choices=self.CHOICES,
                required=False,
                initial=attendee.attendance,
                widget=forms.RadioSelect,
            )

    def rows(self):
        for attendee in self.attendees:
            yield attendee, self[f"mark_{attendee.pk}"]

    def marks(self) -> dict[int, str]:
        return {a.pk: self.cleaned_data.get(f"mark_{a.pk}", "") for a in self.attendees}


class MessageForm(forms.Form):
    audience = forms.ChoiceField(
        label="Send to",
        choices=[(k, v.capitalize()) for k, v in MESSAGE_AUDIENCES.items()],
        widget=forms.RadioSelect,
    )
    subject = forms.CharField(max_length=200)
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}))
