"""Coordinator pages of the network (under /partnership/<slug>/network/, so TOTP applies):
moderation, partners' offers and networks."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from events.models import Event
from wellschools.errors import DomainError
from wellschools.models import User

from . import permissions, selectors, services
from .forms import AddMemberForm, MeetingForm, ModerationForm, NetworkForm, OfferForm
from .models import Network, Offer, PracticeStory


@login_required
def queue(request, slug: str):
    partnership = permissions.get_partnership_for_moderator(request.user, slug)
    return render(
        request,
        "network/manage_queue.html",
        {
            "partnership": partnership,
            "stories": selectors.moderation_queue(partnership=partnership),
            "here": "queue",
        },
    )


@login_required
def moderate(request, slug: str, pk: int):
    partnership = permissions.get_partnership_for_moderator(request.user, slug)
    story = get_object_or_404(
        PracticeStory.objects.select_related("school"), pk=pk, partnership=partnership
    )
    form = ModerationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        comment = form.cleaned_data["comment"]
        try:
            if form.cleaned_data["decision"] == "publish":
                services.story_publish(actor=request.user, story=story, comment=comment)
                messages.success(request, f"Published “{story.title}”. The school is told.")
            else:
                services.story_return(actor=request.user, story=story, comment=comment)
                messages.success(request, f"Returned “{story.title}” to the school with comments.")
        except DomainError as error:
            error.add_to_form(form)
        else:
            return redirect("network_manage:queue", slug=partnership.slug)
    return render(
        request,
        "network/manage_moderate.html",
        {
            "partnership": partnership,
            "story": story,
            "pillars": list(story.pillars.order_by("order")),
            "questions": list(story.questions.select_related("pillar")),
            "attachments": list(story.attachments.all()),
            "links": list(story.links.all()),
            "history": list(selectors.story_history(story)),
            "form": form if story.status == PracticeStory.Status.SUBMITTED else None,
            "here": "queue",
        },
        status=400 if form.errors else 200,
    )


# --- offers ----------------------------------------------------------------------------


@login_required
def offer_list(request, slug: str):
    partnership = permissions.get_partnership_for_moderator(request.user, slug)
    return render(
        request,
        "network/manage_offers.html",
        {
            "partnership": partnership,
            "offers": selectors.offers_all(partnership=partnership),
            "pillar_names": {p.key: p.name for p in selectors.current_pillars()},
            "here": "offers",
        },
    )


@login_required
def offer_edit(request, slug: str, pk: int | None = None):
    partnership = permissions.get_partnership_for_moderator(request.user, slug)
    offer = get_object_or_404(Offer, pk=pk, partnership=partnership) if pk else None
    initial = {}
    if offer is not None:
        initial = {
            "title": offer.title,
            "provider": offer.provider,
            "description": offer.description,
            "pillar_keys": offer.pillar_keys,
            "phases": offer.phases,
            "url": offer.url,
            "closes_on": offer.closes_on,
        }
    form = OfferForm(request.POST or None, pillars=selectors.current_pillars(), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.offer_save(
                actor=request.user, partnership=partnership, offer=offer, **form.cleaned_data
            )
        except DomainError as error:
            error.add_to_form(form)
        else:
            messages.success(request, f"Saved “{saved.title}”.")
            return redirect("network_manage:offers", slug=partnership.slug)
    return render(
        request,
        "network/manage_offer_form.html",
        {"partnership": partnership, "offer": offer, "form": form, "here": "offers"},
        status=400 if form.errors else 200,
    )


@login_required
def offer_delete(request, slug: str, pk: int):
    partnership = permissions.get_partnership_for_moderator(request.user, slug)
    offer = get_object_or_404(Offer, pk=pk, partnership=partnership)
    if request.method == "POST":
        services.offer_delete(actor=request.user, offer=offer)
        messages.success(request, f"Deleted “{offer.title}”.")
        return redirect("network_manage:offers", slug=partnership.slug)
    return render(
        request,
        "network/manage_offer_delete.html",
        {"partnership": partnership, "offer": offer, "here": "offers"},
    )


# --- networks --------------------------------------------------------------------------


@login_required
def network_list(request, slug: str):
    partnership = permissions.get_partnership_for_moderator(request.user, slug)
    return render(
        request,
        "network/manage_networks.html",
        {
            "partnership": partnership,
            "networks": Network.objects.filter(partnership=partnership).order_by("name"),
            "form": NetworkForm(),
            "here": "networks",
        },
    )


@login_required
def network_edit(request, slug: str, pk: int | None = None):
    partnership = permissions.get_partnership_for_moderator(request.user, slug)
    network = get_object_or_404(Network, pk=pk, partnership=partnership) if pk else None
    initial = {"name": network.name, "description": network.description} if network else {}
    form = NetworkForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.network_save(
                actor=request.user, partnership=partnership, network=network, **form.cleaned_data
            )
        except DomainError as error:
            error.add_to_form(form)
        else:
            messages.success(request, f"Saved “{saved.name}”.")
            return redirect("network_manage:network", slug=partnership.slug, pk=saved.pk)
    return _network_page(request, partnership, network, form=form)


def _network_page(request, partnership, network, *, form=None, member_form=None, meeting_form=None):
    status = (
        400 if any(f is not None and f.errors for f in (form, member_form, meeting_form)) else 200
    )
    context = {"partnership": partnership, "network": network, "here": "networks"}
    if network is not None:
        context.update(
            members=selectors.network_members(network),
            meetings=selectors.network_meetings(network),
            member_form=member_form or AddMemberForm(),
            meeting_form=meeting_form or MeetingForm(events=selectors.linkable_events(network)),
        )
    context["form"] = form or NetworkForm(
        initial={"name": network.name, "description": network.description} if network else {}
    )
    return render(request, "network/manage_network.html", context, status=status)


def _network_in(request, slug: str, pk: int):
    partnership = permissions.get_partnership_for_moderator(request.user, slug)
    return partnership, get_object_or_404(Network, pk=pk, partnership=partnership)


@login_required
@require_POST
def member_add(request, slug: str, pk: int):
    partnership, network = _network_in(request, slug, pk)
    form = AddMemberForm(request.POST)
    if form.is_valid():
        person = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
        if person is None:
            form.add_error("email", "Nobody in the partnership has this email address.")
        else:
            try:
                services.network_join(actor=request.user, network=network, person=person)
            except DomainError as error:
                error.add_to_form(form)
            else:
                messages.success(request, f"Added {person.display_name}.")
                return redirect("network_manage:network", slug=slug, pk=pk)
    return _network_page(request, partnership, network, member_form=form)


@login_required
@require_POST
def member_remove(request, slug: str, pk: int, user_pk: int):
    partnership, network = _network_in(request, slug, pk)
    person = get_object_or_404(User, pk=user_pk)
    services.network_leave(actor=request.user, network=network, person=person)
    messages.success(request, f"Removed {person.display_name}.")
    return redirect("network_manage:network", slug=slug, pk=pk)


@login_required
@require_POST
def meeting_add(request, slug: str, pk: int):
    partnership, network = _network_in(request, slug, pk)
    form = MeetingForm(request.POST, events=selectors.linkable_events(network))
    if form.is_valid():
        event = get_object_or_404(Event, pk=form.cleaned_data["event"], partnership=partnership)
        try:
            services.meeting_link(actor=request.user, network=network, event=event)
        except DomainError as error:
            error.add_to_form(form)
        else:
            messages.success(request, f"“{event.title}” is now a meeting of {network.name}.")
            return redirect("network_manage:network", slug=slug, pk=pk)
    return _network_page(request, partnership, network, meeting_form=form)


@login_required
@require_POST
def meeting_remove(request, slug: str, pk: int, event_pk: int):
    partnership, network = _network_in(request, slug, pk)
    services.meeting_unlink(actor=request.user, network=network, event_id=event_pk)
    messages.success(request, "The event is no longer one of the network's meetings.")
    return redirect("network_manage:network", slug=slug, pk=pk)
