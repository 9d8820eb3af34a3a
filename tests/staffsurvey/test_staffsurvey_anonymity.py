"""Anonymity by design, checked against the database itself: a response holds no person,
email, IP address or time; the used-link table shares no key with the responses."""

import pytest
from django.db import connection
from survey_helpers import answer, make_survey

from staffsurvey.models import Response, ResponseAnswer, SurveyLink
from wellschools.models import AuditEvent

pytestmark = pytest.mark.django_db

IDENTIFYING = ("user", "person", "email", "ip", "address", "agent", "session", "token", "link")


def _columns(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        described = connection.introspection.get_table_description(cursor, table)
    return {c.name: c.type_code for c in described}


def _foreign_keys(table: str) -> dict[str, tuple[str, str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {c["columns"][0]: c["foreign_key"] for c in constraints.values() if c.get("foreign_key")}


def test_responses_hold_no_identifying_or_time_column():
    for table in (Response._meta.db_table, ResponseAnswer._meta.db_table):
        columns = _columns(table)
        for name in columns:
            assert not any(word in name.lower() for word in IDENTIFYING), (table, name)
        assert set(columns) <= {
            "id",
            "survey_id",
            "staff_group",
            "submitted_on",
            "comment",
            "response_id",
            "item_id",
            "value",
        }, columns
    # The only date is a date, never a time.
    field = Response._meta.get_field("submitted_on")
    assert field.get_internal_type() == "DateField"
    for model in (Response, ResponseAnswer):
        for f in model._meta.concrete_fields:
            assert f.get_internal_type() not in (
                "DateTimeField",
                "TimeField",
                "GenericIPAddressField",
            )


def test_responses_point_only_at_the_survey_and_the_questions():
    targets = {t for t, _ in _foreign_keys(Response._meta.db_table).values()}
    assert targets == {"staffsurvey_survey"}
    targets = {t for t, _ in _foreign_keys(ResponseAnswer._meta.db_table).values()}
    assert targets == {"staffsurvey_response", "staffsurvey_item"}


def test_the_used_link_table_shares_no_key_with_responses():
    link_table, response_table = SurveyLink._meta.db_table, Response._meta.db_table
    link_fks = _foreign_keys(link_table)
    response_fks = _foreign_keys(response_table)
    assert response_table not in {t for t, _ in link_fks.values()}
    assert link_table not in {t for t, _ in response_fks.values()}
    # Their only common column is the survey they belong to; a link has no time.
    assert set(_columns(link_table)) == {"id", "survey_id", "token_hash", "used"}
    assert set(_columns(link_table)) & set(_columns(response_table)) == {"id", "survey_id"}


def test_sending_answers_writes_no_audit_event_and_no_time(school, leader):
    survey = make_survey(school, leader)
    before = AuditEvent.objects.count()
    response = answer(survey, comment="More time")
    assert AuditEvent.objects.count() == before
    stored = Response.objects.filter(pk=response.pk).values().get()
    assert set(stored) == {"id", "survey_id", "staff_group", "submitted_on", "comment"}


def test_links_are_not_stored_in_the_order_the_emails_were_sent(school, leader):
    import re

    from staffsurvey.services import hash_token, survey_invite
    from wellschools.models import EmailMessage

    survey = make_survey(school, leader)
    emails = [f"person{n}@example.org" for n in range(40)]
    # Not committed, so the queued bodies (blanked once sent) still hold the links.
    survey_invite(actor=leader, survey=survey, emails=emails)

    order = []
    for message in EmailMessage.objects.filter(kind="staffsurvey_invitation").order_by("pk"):
        token = re.search(r"/i/([^/\s]+)/", message.body_text or "")
        if token:
            order.append(hash_token(token.group(1)))
    links = list(
        SurveyLink.objects.filter(survey=survey).order_by("pk").values_list("token_hash", flat=True)
    )
    assert sorted(order) == sorted(links) and len(links) == 40
    # Shuffled: the chance of the same order by accident is 1 in 40!.
    assert order != links
    assert AuditEvent.objects.get(action="staffsurvey.invited").data == {"count": 40}
