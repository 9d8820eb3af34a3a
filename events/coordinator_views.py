"""The coordinator's event pages, under /partnership/<slug>/events/ (TOTP required by
RequireTwoFactorMiddleware, like every /partnership/ page)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from wellschools.errors import DomainError
from wellschools.exports import csv_download

from . import selectors, services
from .forms import CancelEventForm, EventForm, MessageForm, RegisterForm
from .models import Booking
from .permissions import get_partnership_for_event_manager
from .services import EVENT_FIELDS
from .views import (
    attendee_cancel_page,
    attendee_substitute_page,
    booking_cancel_page,
    booking_context,
)


def _event(request, slug: str, pk: int):
    partnership = get_partnership_for_event_manager(request.user, slug)
    return partnership, selectors.event_for_manager(partnership=partnership, pk=pk)


@login_required
def event_list(request, slug: str):
    partnership = get_partnership_for_event_manager(request.user, slug)
    return render(
        request,
        "events/manage_list.html",
        {
            "partnership": partnership,
            "events": selectors.events_for_partnership(partnership=partnership),
            "now": timezone.now(),
        },
    )


@login_required
def event_create(request, slug: str):
    partnership = get_partnership_for_event_manager(request.user, slug)
    # A link may fill in the title and description (insight's "create an event" from a
    # weak Well Check question); nothing is saved until the form is posted.
    prefill = {k: request.GET[k][:2000] for k in ("title", "description") if request.GET.get(k)}
    form = EventForm(request.POST or None, initial={"audience": "members", **prefill})
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(
                actor=request.user, partnership=partnership, **form.cleaned_data
            )
        except DomainError as error:
            error.add_to_form(form)
        else:
            messages.success(
                request, f"{event.title} is saved as a draft: only coordinators can see it."
            )
            return redirect(event.get_manage_url())
    return render(
        request,
        "events/manage_form.html",
        {"partnership": partnership, "form": form, "event": None},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def event_edit(request, slug: str, pk: int):
    partnership, event = _event(request, slug, pk)
    initial = {field: getattr(event, field) for field in EVENT_FIELDS}
    form = EventForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(actor=request.user, event=event, **form.cleaned_data)
        except DomainError as error:
            error.add_to_form(form)
        else:
            messages.success(request, "Changes saved.")
            return redirect(event.get_manage_url())
    return render(
        request,
        "events/manage_form.html",
        {"partnership": partnership, "form": form, "event": event},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def event_publish(request, slug: str, pk: int):
    _partnership, event = _event(request, slug, pk)
    try:
        services.event_publish(actor=request.user, event=event)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{event.title} is published: people can see it and book.")
    return redirect(event.get_manage_url())


@login_required
def event_cancel(request, slug: str, pk: int):
    partnership, event = _event(request, slug, pk)
    form = CancelEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_cancel(
                actor=request.user, event=event, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            error.add_to_form(form)
        else:
            messages.success(
                request, f"{event.title} is cancelled. Everyone who booked has been emailed."
            )
            return redirect(event.get_manage_url())
    return render(
        request,
        "events/manage_cancel.html",
        {
            "partnership": partnership,
            "event": event,
            "form": form,
            "availability": selectors.event_availability(event=event),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def event_release_places(request, slug: str, pk: int):
    _partnership, event = _event(request, slug, pk)
    try:
        released = services.event_release_held_places(actor=request.user, event=event)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"{released} place{'s' if released != 1 else ''} released: new bookings can take "
            f"{'them' if released != 1 else 'it'} although groups are waiting.",
        )
    return redirect(event.get_manage_url())


@login_required
def event_detail(request, slug: str, pk: int):
    partnership, event = _event(request, slug, pk)
    attendees = selectors.event_attendees(event=event)
    waiting = selectors.event_waiting_list(event=event)
    event.places_left = event.capacity - len(attendees)
    held_places = (
        max(event.places_left, 0) - min(max(event.places_left, 0), event.places_released)
        if waiting
        else 0
    )
    return render(
        request,
        "events/manage_detail.html",
        {
            "partnership": partnership,
            "event": event,
            "attendees": attendees,
            "waiting": waiting,
            "places_taken": len(attendees),
            "waiting_places": sum(len(b.active_attendees) for b in waiting),
            "held_places": held_places,
            "needs": selectors.needs_summary(attendees=attendees),
            "register": selectors.register_summary(attendees=attendees),
            "register_open": selectors.register_open(event=event),
            "history": selectors.event_history(event=event)[:20],
        },
    )


@login_required
def event_register(request, slug: str, pk: int):
    partnership, event = _event(request, slug, pk)
    attendees = selectors.event_attendees(event=event)
    form = RegisterForm(request.POST or None, attendees=attendees)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.attendance_record(
                actor=request.user, event=event, marks=form.marks()
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, f"Register saved: {changed} mark{'s' if changed != 1 else ''} changed."
            )
        return redirect("events_manage:register", slug=partnership.slug, pk=event.pk)
    return render(
        request,
        "events/manage_register.html",
        {
            "partnership": partnership,
            "event": event,
            "form": form,
            "register_open": selectors.register_open(event=event),
            "register": selectors.register_summary(attendees=attendees),
        },
    )


@login_required
def event_attendees_csv(request, slug: str, pk: int):
    _partnership, event = _event(request, slug, pk)
    filename = f"event-{event.pk}-attendees-{timezone.localdate():%Y-%m-%d}.csv"
    response, writer = csv_download(filename)
    writer.writerow(
        [
            "Booking reference",
            "Booked for",
            "URN",
            "Name",
            "Email",
            "Role",
            "Dietary needs",
            "Access needs",
            "Attendance",
            "Marked at",
        ]
    )
    for a in selectors.event_attendees(event=event):
        marked = timezone.localtime(a.attendance_marked_at) if a.attendance_marked_at else None
        writer.writerow(
            (
                a.booking.reference,
                a.booking.organisation,
                a.booking.school.urn if a.booking.school else "",
                a.name,
                a.email,
                a.role,
                a.dietary_needs,
                a.access_needs,
                a.get_attendance_display() if a.attendance else "",
                marked.strftime("%d/%m/%Y %H:%M") if marked else "",
            )
        )
    return response


@login_required
def event_message(request, slug: str, pk: int):
    partnership, event = _event(request, slug, pk)
    form = MessageForm(request.POST or None, initial={"audience": "attendees"})
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.event_message_send(actor=request.user, event=event, **form.cleaned_data)
        except DomainError as error:
            error.add_to_form(form)
        else:
            messages.success(request, f"Email sent to {sent} people.")
            return redirect(event.get_manage_url())
    return render(
        request,
        "events/manage_message.html",
        {"partnership": partnership, "event": event, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


# --- a booking, as the coordinator sees it (changes allowed after the deadline) ---------


def _booking(request, slug: str, pk: int, reference: str) -> Booking:
    _partnership, event = _event(request, slug, pk)
    booking = selectors.booking_by_reference(reference=reference)
    if booking.event_id != event.pk:
        raise Http404
    return booking


@login_required
def booking_detail(request, slug: str, pk: int, reference: str):
    booking = _booking(request, slug, pk, reference)
    context = booking_context(booking, manage=True)
    context["partnership"] = booking.event.partnership
    return render(request, "events/booking_detail.html", context)


@login_required
def booking_cancel(request, slug: str, pk: int, reference: str):
    booking = _booking(request, slug, pk, reference)
    back = booking.event.get_manage_url()
    if not booking.is_live:
        return redirect(booking.get_manage_url())
    return booking_cancel_page(request, booking, manage=True, back=back)


@login_required
def attendee_cancel(request, slug: str, pk: int, reference: str, attendee_pk: int):
    booking = _booking(request, slug, pk, reference)
    return attendee_cancel_page(
        request, booking, attendee_pk, manage=True, back=booking.get_manage_url()
    )


@login_required
def attendee_substitute(request, slug: str, pk: int, reference: str, attendee_pk: int):
    booking = _booking(request, slug, pk, reference)
    return attendee_substitute_page(
        request, booking, attendee_pk, manage=True, back=booking.get_manage_url()
    )
