"""Public event pages and the booker's pages. Thin: check, validate, call a service, say
what happened, redirect. Reading needs no sign-in; booking does."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from wellschools.errors import DomainError

from . import selectors, services
from .forms import BookingForm, CancelEventForm, SubstituteForm, attendee_formset
from .ics import booking_calendar, calendar_filename
from .models import Attendee, Booking, Event
from .notifications import booking_for_leave_token
from .permissions import (
    can_book_event,
    can_manage_booking,
    can_manage_events,
    require_booking_access,
    require_event_booking_right,
)

PAST_PER_PAGE = 20


# --- reading -----------------------------------------------------------------------------


def event_list(request):
    return render(request, "events/event_list.html", {"events": selectors.events_upcoming()})


def event_archive(request):
    page = Paginator(selectors.events_past(), PAST_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "events/event_archive.html", {"page": page})


def event_detail(request, pk: int):
    event = selectors.event_for_public(user=request.user, pk=pk)
    user = request.user
    members_only = event.audience == Event.Audience.MEMBERS
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "availability": selectors.event_availability(event=event),
            "booking_state": selectors.booking_state(event=event),
            "may_book": can_book_event(
                user, partnership=event.partnership, members_only=members_only
            ),
            "is_manager": can_manage_events(user, event.partnership),
            "my_bookings": selectors.bookings_visible_to(user=user).filter(event=event)
            if user.is_authenticated
            else [],
        },
    )


# --- booking -----------------------------------------------------------------------------


@login_required
def event_book(request, pk: int):
    event = selectors.event_for_public(user=request.user, pk=pk)
    if event.status == Event.Status.DRAFT:
        raise Http404
    require_event_booking_right(
        request.user,
        partnership=event.partnership,
        members_only=event.audience == Event.Audience.MEMBERS,
    )
    schools, trusts = selectors.booking_options(user=request.user, event=event)
    form = BookingForm(
        request.POST or None,
        schools=schools,
        trusts=trusts,
        allow_other=event.audience == Event.Audience.ANYONE,
    )
    adding_row = request.method == "POST" and "add_person" in request.POST
    formset = attendee_formset(
        request.POST if request.method == "POST" else None,
        add_row=adding_row,
        online=event.is_online,
    )
    status = 200
    if request.method == "POST" and not adding_row:
        if form.is_valid() and formset.is_valid():
            people = [f.to_data() for f in formset if f.has_changed() and f.cleaned_data]
            try:
                booking = services.booking_create(
                    actor=request.user,
                    event=event,
                    attendees=people,
                    school=form.cleaned_data["school"],
                    trust=form.cleaned_data["trust"],
                    organisation=form.cleaned_data.get("organisation", ""),
                )
            except DomainError as error:
                if error.field == "attendees":
                    formset.non_form_errors().append(error.message)
                else:
                    error.add_to_form(form)
            else:
                if booking.status == Booking.Status.CONFIRMED:
                    messages.success(
                        request,
                        f"Booked: reference {booking.reference}. We have emailed the "
                        "confirmation with a calendar file.",
                    )
                else:
                    messages.warning(
                        request,
                        f"Your group is on the waiting list (reference {booking.reference}). "
                        "We book it automatically when enough places free up, and email you.",
                    )
                return redirect(booking.get_absolute_url())
        status = 400
    return render(
        request,
        "events/event_book.html",
        {
            "event": event,
            "form": form,
            "formset": formset,
            "availability": selectors.event_availability(event=event),
            "booking_open": selectors.booking_open(event=event),
        },
        status=status,
    )


def _booking_for(request, reference: str) -> Booking:
    booking = selectors.booking_by_reference(reference=reference)
    require_booking_access(
        request.user,
        booker_id=booking.booker_id,
        school=booking.school,
        trust=booking.trust,
        partnership=booking.event.partnership,
    )
    return booking


def booking_context(booking: Booking, *, manage: bool) -> dict:
    """What the booking page shows; the coordinator's copy of the page uses it too."""
    event = booking.event
    attendees = selectors.booking_attendees(booking=booking)
    availability = selectors.event_availability(event=event)
    can_change = booking.is_live and (manage or not booking.closed_to_booker)
    return {
        "booking": booking,
        "event": event,
        "attendees": attendees,
        "availability": availability,
        "position": selectors.waiting_position(booking=booking),
        "group_fits": len(attendees) <= availability.free,
        "can_change": can_change,
        "deadline_passed": event.changes_closed,
        "history": selectors.booking_history(booking=booking),
        "manage": manage,
        "base_url": booking.get_manage_url() if manage else booking.get_absolute_url(),
    }


@login_required
def booking_detail(request, reference: str):
    booking = _booking_for(request, reference)
    return render(request, "events/booking_detail.html", booking_context(booking, manage=False))


@login_required
def booking_list(request):
    bookings = selectors.bookings_visible_to(user=request.user)
    now = timezone.now()
    return render(
        request,
        "events/booking_list.html",
        {
            "upcoming": [b for b in bookings if b.event.ends_at > now],
            "past": [b for b in bookings if b.event.ends_at <= now],
        },
    )


@login_required
def booking_calendar_file(request, reference: str):
    booking = _booking_for(request, reference)
    if booking.status != Booking.Status.CONFIRMED:
        raise Http404
    response = HttpResponse(
        booking_calendar(booking=booking, method="PUBLISH"), content_type="text/calendar"
    )
    response["Content-Disposition"] = f'attachment; filename="{calendar_filename(booking)}"'
    return response


def booking_cancel_page(request, booking: Booking, *, manage: bool, back: str):
    """Confirm, then cancel the whole booking (or leave the waiting list)."""
    form = CancelEventForm(request.POST or None) if manage else None
    if form is not None:
        form.fields["reason"].label = "Why? (sent to the booker and attendees)"
        form.fields["reason"].required = False
        form.fields["reason"].help_text = ""
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            services.booking_cancel(
                actor=request.user,
                booking=booking,
                reason=form.cleaned_data["reason"] if form is not None else "",
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            if booking.status == Booking.Status.WAITING:
                messages.success(request, f"{booking.reference} has left the waiting list.")
            else:
                messages.success(
                    request,
                    f"Booking {booking.reference} is cancelled; everyone on it has been emailed.",
                )
        return redirect(back)
    return render(
        request,
        "events/booking_cancel.html",
        {
            "booking": booking,
            "event": booking.event,
            "attendees": selectors.booking_attendees(booking=booking),
            "form": form,
            "back": back,
            "manage": manage,
        },
    )


def attendee_cancel_page(request, booking: Booking, attendee_pk: int, *, manage: bool, back: str):
    attendee = get_object_or_404(
        Attendee, pk=attendee_pk, booking=booking, status=Attendee.Status.ACTIVE
    )
    if request.method == "POST":
        try:
            services.attendee_cancel(actor=request.user, attendee=attendee)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{attendee.name}'s place is cancelled.")
        return redirect(back)
    return render(
        request,
        "events/attendee_cancel.html",
        {
            "booking": booking,
            "event": booking.event,
            "attendee": attendee,
            "last_one": booking.attendees.filter(status=Attendee.Status.ACTIVE).count() == 1,
            "back": back,
            "manage": manage,
        },
    )


def attendee_substitute_page(
    request, booking: Booking, attendee_pk: int, *, manage: bool, back: str
):
    attendee = get_object_or_404(
        Attendee, pk=attendee_pk, booking=booking, status=Attendee.Status.ACTIVE
    )
    form = SubstituteForm(request.POST or None, online=booking.event.is_online)
    if request.method == "POST" and form.is_valid():
        try:
            substitute = services.attendee_substitute(
                actor=request.user, attendee=attendee, person=form.to_data()
            )
        except DomainError as error:
            error.add_to_form(form)
        else:
            messages.success(request, f"{substitute.name} now comes instead of {attendee.name}.")
            return redirect(back)
    return render(
        request,
        "events/attendee_substitute.html",
        {
            "booking": booking,
            "event": booking.event,
            "attendee": attendee,
            "form": form,
            "back": back,
            "manage": manage,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def booking_cancel(request, reference: str):
    booking = _booking_for(request, reference)
    if not booking.is_live:
        return redirect(booking.get_absolute_url())
    return booking_cancel_page(request, booking, manage=False, back=booking.get_absolute_url())


@login_required
def attendee_cancel(request, reference: str, attendee_pk: int):
    booking = _booking_for(request, reference)
    return attendee_cancel_page(
        request, booking, attendee_pk, manage=False, back=booking.get_absolute_url()
    )


@login_required
def attendee_substitute(request, reference: str, attendee_pk: int):
    booking = _booking_for(request, reference)
    return attendee_substitute_page(
        request, booking, attendee_pk, manage=False, back=booking.get_absolute_url()
    )


def waiting_list_leave(request, token: str):
    """The link in the waiting-list email: one press of the button, no sign-in needed. (A
    plain GET changes nothing, because mail scanners open links.)"""
    reference = booking_for_leave_token(token)
    if reference is None:
        raise Http404
    booking = selectors.booking_by_reference(reference=reference)
    if request.method == "POST":
        if booking.status == Booking.Status.WAITING:
            try:
                services.waiting_list_leave(actor=None, booking=booking)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, f"{booking.reference} has left the waiting list.")
        return redirect(request.path)
    signed_in_can_manage = can_manage_booking(
        request.user, booker_id=booking.booker_id, school=booking.school, trust=booking.trust
    )
    return render(
        request,
        "events/waiting_list_leave.html",
        {
            "booking": booking,
            "event": booking.event,
            "position": selectors.waiting_position(booking=booking),
            "can_open_booking": signed_in_can_manage,
        },
    )
