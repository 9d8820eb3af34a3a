from django import forms

from wellschools.widgets import IsoDateInput

from .models import Action


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why is it being reopened? (sent to the school's leaders)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class ActionForm(forms.Form):
    pillar = forms.ModelChoiceField(queryset=None, label="Pillar", empty_label=None)
    title = forms.CharField(label="What will be done", max_length=300)
    owner = forms.ModelChoiceField(
        queryset=None, label="Who owns it", required=False, empty_label="Nobody yet"
    )
    success_measure = forms.CharField(
        label="How we will know it worked", widget=forms.Textarea(attrs={"rows": 2})
    )
    due_date = forms.DateField(label="Due date", widget=IsoDateInput)
    status = forms.ChoiceField(label="Status", choices=Action.Status.choices)
    question = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, pillars, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pillar"].queryset = pillars
        self.fields["owner"].queryset = people
        self.fields["owner"].label_from_instance = lambda user: user.display_name


class ProgressForm(forms.Form):
    on = forms.DateField(label="Date", widget=IsoDateInput)
    note = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 2}))


class ScoresFilterForm(forms.Form):
    phase = forms.ChoiceField(label="Phase", required=False)
    trust = forms.ChoiceField(label="Trust", required=False)
    sort = forms.ChoiceField(label="Sort by", required=False)
    order = forms.ChoiceField(
        label="Order",
        required=False,
        choices=[("", "Lowest first (A to Z)"), ("desc", "Highest first (Z to A)")],
    )

    def __init__(self, *args, phases, trusts, columns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phase"].choices = [("", "Any phase")] + [(p, p) for p in phases]
        self.fields["trust"].choices = [("", "Any trust")] + [(str(t.pk), t.name) for t in trusts]
        from .selectors import score_sorts

        sorts = score_sorts(columns)
        self.fields["sort"].choices = [("", sorts["name"])] + [
            (key, label) for key, label in sorts.items() if key != "name"
        ]
