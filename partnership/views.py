"""Pages for schools, trusts, joining and invitations. Thin: check, validate, call a
service, say what happened, redirect."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from wellschools.errors import DomainError
from wellschools.models import User
from wellschools.panels import render_panels

from . import selectors, services
from .forms import (
    InvitationForm,
    InvitationSignupForm,
    JoinForm,
    MembershipStatusForm,
    SchoolSearchForm,
)
from .models import Invitation, Role
from .permissions import (
    can_lead_trust,
    can_manage_school_people,
    can_remove_role,
    can_view_school,
    can_view_school_record,
    can_view_trust,
    get_partnership_for_coordinator,
    get_school_for,
    get_trust_for,
    invitable_kinds_for_school,
    is_coordinator,
    is_trust_person,
)


@login_required
def home(request):
    contexts = selectors.home_contexts(request.user)
    if len(contexts) == 1:
        # One place to be: go straight to the school's, trust's or partnership's home.
        return redirect(contexts[0].url)
    return render(
        request,
        "partnership/home.html",
        {
            "contexts": contexts,
            "applications": selectors.applications_by(user=request.user),
        },
    )


@login_required
def school_detail(request, urn: int):
    school = get_school_for(request.user, urn, right=can_view_school_record)
    user = request.user
    # Coordinators of a school whose membership is not active see only its facts and
    # memberships (to change theirs), never its people or its work (docs/tenancy.md).
    full_view = can_view_school(user, school)
    can_manage = can_manage_school_people(user, school)
    people = list(selectors.people_at_school(school=school)) if full_view else []
    memberships = [
        m
        for m in selectors.school_memberships(school=school)
        if full_view or is_coordinator(user, m.partnership)
    ]
    coordinated = [m for m in memberships if is_coordinator(user, m.partnership)]
    return render(
        request,
        "partnership/school_detail.html",
        {
            "school": school,
            "people": people,
            "removable": {role.pk for role in people if can_remove_role(user, role)},
            "memberships": memberships,
            "status_forms": {
                m.pk: MembershipStatusForm(initial={"status": m.status}, prefix=f"m{m.pk}")
                for m in coordinated
                if m.status in ("active", "lapsed", "left")
            },
            "can_manage": can_manage,
            "invitations": selectors.open_invitations(school=school) if can_manage else [],
            "trust_visible": school.trust is not None and can_view_trust(user, school.trust),
            "full_view": full_view,
            "panels": render_panels("school", request, school) if full_view else "",
        },
    )


def _invite(request, *, template: str, scope, kinds: list[str], school=None, trust=None):
    form = InvitationForm(request.POST or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(
                actor=request.user,
                email=form.cleaned_data["email"],
                kind=form.cleaned_data["kind"],
                school=school,
                trust=trust,
            )
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(
                request,
                f"Invitation sent to {form.cleaned_data['email']}. The link works once, "
                "for 14 days.",
            )
            return redirect(scope.get_absolute_url())
    return render(request, template, {"form": form, "scope": scope})


@login_required
def school_invite(request, urn: int):
    school = get_school_for(request.user, urn, right=can_manage_school_people)
    return _invite(
        request,
        template="partnership/school_invite.html",
        scope=school,
        kinds=invitable_kinds_for_school(request.user, school),
        school=school,
    )


@login_required
def trust_detail(request, group_uid: str):
    trust = get_trust_for(request.user, group_uid)
    # A coordinator sees only their partnership's schools of a trust, never its people.
    trust_person = is_trust_person(request.user, trust)
    people = list(selectors.people_at_trust(trust=trust)) if trust_person else []
    is_lead = can_lead_trust(request.user, trust)
    return render(
        request,
        "partnership/trust_detail.html",
        {
            "trust": trust,
            "schools": selectors.trust_schools_for(request.user, trust=trust),
            "trust_person": trust_person,
            "people": people,
            "removable": {role.pk for role in people if can_remove_role(request.user, role)},
            "can_invite": is_lead,
            "invitations": selectors.open_invitations(trust=trust) if is_lead else [],
            "panels": render_panels("trust", request, trust),
        },
    )


@login_required
def trust_invite(request, group_uid: str):
    trust = get_trust_for(request.user, group_uid, right=can_lead_trust)
    return _invite(
        request,
        template="partnership/trust_invite.html",
        scope=trust,
        kinds=[Role.Kind.TRUST_STAFF],
        trust=trust,
    )


@login_required
def role_remove(request, pk: int):
    """GET asks "are you sure?" and says what removing does; POST removes."""
    role = get_object_or_404(
        Role.objects.select_related("user", "school", "trust", "partnership"), pk=pk
    )
    # Outsiders learn nothing (404); members without the right are refused (403).
    if role.school_id:
        get_school_for(request.user, role.school.urn)
    elif role.trust_id:
        get_trust_for(request.user, role.trust.group_uid)
    else:
        get_partnership_for_coordinator(request.user, role.partnership.slug)
    if not can_remove_role(request.user, role):
        raise PermissionDenied
    scope = role.scope
    if request.method != "POST":
        return render(
            request,
            "partnership/role_remove.html",
            {"role": role, "scope": scope, "is_self": role.user_id == request.user.pk},
        )
    try:
        services.role_remove(actor=request.user, role=role)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"{role.user.display_name} is no longer {role.get_kind_display().lower()}."
        )
    return redirect(scope.get_absolute_url())


def _invitation_for(request, pk: int) -> Invitation:
    """A waiting invitation of a school or trust the person may invite to (404 / 403)."""
    invitation = get_object_or_404(
        Invitation.objects.select_related("school", "trust"),
        Q(school__isnull=False) | Q(trust__isnull=False),
        pk=pk,
    )
    if invitation.school_id:
        get_school_for(request.user, invitation.school.urn, right=can_manage_school_people)
    else:
        get_trust_for(request.user, invitation.trust.group_uid, right=can_lead_trust)
    return invitation


@login_required
@require_POST
def invitation_cancel(request, pk: int):
    invitation = _invitation_for(request, pk)
    try:
        services.invitation_cancel(actor=request.user, invitation=invitation)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"The invitation to {invitation.email} is cancelled: its link no longer works."
        )
    return redirect(invitation.scope.get_absolute_url())


@login_required
@require_POST
def invitation_resend(request, pk: int):
    invitation = _invitation_for(request, pk)
    try:
        services.invitation_resend(actor=request.user, invitation=invitation)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Invitation sent to {invitation.email} again, with a new link that works for "
            f"{settings.WELLSCHOOLS_INVITATION_DAYS} days. The earlier link no longer works.",
        )
    return redirect(invitation.scope.get_absolute_url())


@login_required
def join(request):
    """A school leader applies for their school to join the partnership."""
    partnership = selectors.default_partnership()
    search_form = SchoolSearchForm(request.GET or None)
    results = []
    if partnership and search_form.is_valid() and search_form.cleaned_data["q"]:
        results = selectors.school_search(
            partnership=partnership, query=search_form.cleaned_data["q"]
        )
    chosen = None
    urn = request.POST.get("urn") or request.GET.get("urn")
    if partnership and urn and urn.isascii() and urn.isdigit():
        chosen = selectors.school_in_area(partnership=partnership, urn=int(urn))
    join_form = JoinForm(request.POST or None, initial={"urn": chosen.urn if chosen else None})
    if request.method == "POST" and partnership:
        if chosen is None:
            join_form.add_error(None, "Choose your school from the list first.")
        elif join_form.is_valid():
            try:
                services.membership_apply(
                    actor=request.user,
                    partnership=partnership,
                    school=chosen,
                    role_title=join_form.cleaned_data["role_title"],
                )
            except DomainError as error:
                join_form.add_error(error.field, error.message)
            else:
                messages.success(
                    request,
                    f"Thank you: your application for {chosen.name} has been sent to the "
                    f"{partnership.name} coordinators. We will email you their decision.",
                )
                return redirect("home")
    return render(
        request,
        "partnership/join.html",
        {
            "partnership": partnership,
            "search_form": search_form,
            "results": results,
            "searched": bool(search_form.is_bound and request.GET.get("q")),
            "chosen": chosen,
            "join_form": join_form,
            "applications": selectors.applications_by(user=request.user),
        },
    )


def invitation_accept(request, token: str):
    try:
        invitation = services.invitation_find(token=token)
    except DomainError as error:
        return render(
            request, "partnership/invitation_invalid.html", {"message": error.message}, status=410
        )
    context = {"invitation": invitation}
    if request.user.is_authenticated:
        context["mismatch"] = request.user.email.lower() != invitation.email.lower()
        if request.method == "POST" and not context["mismatch"]:
            try:
                role = services.invitation_accept(token=token, user=request.user)
            except DomainError as error:
                messages.error(request, error.message)
                return redirect("home")
            messages.success(
                request, f"Welcome: you are now {role.get_kind_display().lower()} at {role.scope}."
            )
            return redirect(role.scope.get_absolute_url())
        return render(request, "partnership/invitation_accept.html", context)

    if User.objects.filter(email__iexact=invitation.email).exists():
        context["sign_in_first"] = True
        return render(request, "partnership/invitation_accept.html", context)

    form = InvitationSignupForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.account_create_for_invitation(
                token=token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
            messages.success(
                request,
                f"Welcome, {user.display_name}: you are now "
                f"{invitation.get_kind_display().lower()} at {invitation.scope}.",
            )
            return redirect(invitation.scope.get_absolute_url())
    context["form"] = form
    return render(request, "partnership/invitation_accept.html", context)
