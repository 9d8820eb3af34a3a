"""Forms validate and shape input, nothing more. No form has a status or a school field a
person could post: those come from the page's own checked objects."""

from django import forms

from wellcheck.models import Pillar, Question
from wellschools.dates import format_date
from wellschools.uploads import ACCEPTED_LABEL, MAX_UPLOAD_LABEL
from wellschools.widgets import IsoDateInput

from .models import Phase


class QuestionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.pillar.name}: {obj.text}"


class StoryForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="For example “Daily mile for Years 3–6”.")
    what_we_did = forms.CharField(
        label="What we did", max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    for_whom = forms.CharField(
        label="For whom", max_length=300, help_text="Which pupils or staff, and how many."
    )
    impact = forms.CharField(
        label="What changed (impact)",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you noticed or measured.",
    )
    cost = forms.CharField(
        label="What it cost", max_length=300, help_text="Money and staff time; “nothing” is fine."
    )
    who_to_ask = forms.CharField(
        label="Who to ask",
        max_length=200,
        help_text="A role, for example “our wellbeing lead”. No email addresses: other schools "
        "ask through the platform.",
    )
    phase = forms.ChoiceField(choices=Phase.choices, initial=Phase.ANY)
    pillars = forms.ModelMultipleChoiceField(
        queryset=Pillar.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    questions = QuestionChoiceField(
        label="Well Check questions it helps with",
        queryset=Question.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, pillars: list[Pillar], **kwargs):
        super().__init__(*args, **kwargs)
        ids = [p.pk for p in pillars]
        self.fields["pillars"].queryset = Pillar.objects.filter(pk__in=ids).order_by("order")
        self.fields["questions"].queryset = (
            Question.objects.filter(pillar_id__in=ids)
            .select_related("pillar")
            .order_by("pillar__order", "order")
        )

    def clean_who_to_ask(self):
        value = self.cleaned_data["who_to_ask"]
        if "@" in value:
            raise forms.ValidationError(
                "Give a role, not an email address: other schools ask through the platform."
            )
        return value


class AttachmentForm(forms.Form):
    file = forms.FileField(label="File", help_text=f"{ACCEPTED_LABEL}; at most {MAX_UPLOAD_LABEL}.")


class LinkForm(forms.Form):
    url = forms.URLField(label="Web address", max_length=500, assume_scheme="https")
    label = forms.CharField(label="Link text", max_length=200)


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("publish", "Publish it"), ("return", "Return it to the school with comments")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="Comments for the school",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed when you return the story.",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("comment") or "").strip():
            self.add_error("comment", "Say what the school should change before returning it.")
        return data


_SELECT = forms.Select(attrs={"class": "form-select"})


class SearchForm(forms.Form):
    q = forms.CharField(label="Words", required=False, max_length=100)
    pillar = forms.ChoiceField(label="Pillar", required=False, widget=_SELECT)
    question = forms.ChoiceField(label="Well Check question", required=False, widget=_SELECT)
    phase = forms.ChoiceField(
        label="Phase",
        required=False,
        choices=[("", "Any phase"), *Phase.choices[1:]],
        widget=_SELECT,
    )

    def __init__(self, *args, pillars: list[Pillar], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pillar"].choices = [("", "All pillars")] + [(p.key, p.name) for p in pillars]
        self.fields["question"].choices = [("", "All questions")] + [
            (f"{p.key}.{q.key}", f"{p.name}: {q.text}") for p in pillars for q in p.questions.all()
        ]


class OptInForm(forms.Form):
    pillars = forms.MultipleChoiceField(
        label="Other member schools may ask us about",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="We are suggested to schools growing in these pillars where we rated a "
        "question Strong. Our address is shared only when we reply.",
    )

    def __init__(self, *args, pillars: list[Pillar], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pillars"].choices = [(p.key, p.name) for p in pillars]


class AskForm(forms.Form):
    message = forms.CharField(
        label="Your message",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What you would like to know. The school sees your name and school, not "
        "your email address, until they reply.",
    )


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label="Your reply",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Replying shares your name and email address with the person who asked, "
        "and theirs with you.",
    )


class OfferForm(forms.Form):
    title = forms.CharField(max_length=200)
    provider = forms.CharField(max_length=200, help_text="The partner making the offer.")
    description = forms.CharField(
        required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 4})
    )
    pillar_keys = forms.MultipleChoiceField(label="Pillars", widget=forms.CheckboxSelectMultiple)
    phases = forms.MultipleChoiceField(
        label="Phases",
        required=False,
        choices=Phase.choices[1:],
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave empty for every phase.",
    )
    url = forms.URLField(label="Link", max_length=500, assume_scheme="https")
    closes_on = forms.DateField(
        label="Closing date", widget=IsoDateInput, help_text="The offer disappears after this day."
    )

    def __init__(self, *args, pillars: list[Pillar], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pillar_keys"].choices = [(p.key, p.name) for p in pillars]


class NetworkForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="For example “Wellbeing Leads”.")
    description = forms.CharField(
        required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AddMemberForm(forms.Form):
    email = forms.EmailField(
        label="Email address of a person in the partnership",
        help_text="They must already hold a role at a member school, trust or as coordinator.",
    )


class MeetingForm(forms.Form):
    event = forms.TypedChoiceField(label="Event", coerce=int)

    def __init__(self, *args, events, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].choices = [
            (e.pk, f"{e.title} ({format_date(e.starts_at)})") for e in events
        ]


class ItemForm(forms.Form):
    title = forms.CharField(max_length=200)
    note = forms.CharField(
        required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
    file = forms.FileField(
        required=False, help_text=f"Optional. {ACCEPTED_LABEL}; at most {MAX_UPLOAD_LABEL}."
    )

    def clean(self):
        data = super().clean()
        if not (data.get("note") or "").strip() and not data.get("file"):
            self.add_error("note", "Write a note or choose a file.")
        return data
