"""The survey framework as versioned data: the shipped version, drafts, publishing, and
published versions that never change."""

import pytest
from django.contrib.admin.sites import site

from staffsurvey.framework import (
    AREA_KEYS,
    framework_current,
    framework_draft_from,
    framework_problems,
    framework_publish,
)
from staffsurvey.models import Area, Item, SurveyFramework
from wellschools.errors import DomainError

pytestmark = pytest.mark.django_db


def test_the_shipped_version_has_the_areas_the_scale_and_the_written_question():
    framework = framework_current()
    assert framework.is_published and framework.number == 1
    assert [a.key for a in framework.areas.all()] == list(AREA_KEYS)
    assert {"manager_support", "colleague_support"} <= set(AREA_KEYS)
    assert len(framework.scale) == 5 and framework.scale[0] == "Strongly disagree"
    assert Item.objects.filter(area__framework=framework).count() == 33
    assert framework.comment_question == "One thing that would help your wellbeing at work"
    assert framework_problems(framework) == []


def test_a_draft_copy_is_checked_and_published_once(admin_user):
    current = framework_current()
    draft = framework_draft_from(actor=admin_user, version=current)
    assert not draft.is_published and draft.number == current.number + 1
    Item.objects.filter(area__framework=draft, area__key="role").delete()
    with pytest.raises(DomainError, match="Role has 0 statements"):
        framework_publish(actor=admin_user, version=draft)
    draft.refresh_from_db()
    assert not draft.is_published
    Area.objects.filter(framework=draft, key="role").delete()
    copy = framework_draft_from(actor=admin_user, version=current)
    framework_publish(actor=admin_user, version=copy)
    assert framework_current().pk == copy.pk
    with pytest.raises(DomainError, match="already published"):
        framework_publish(actor=admin_user, version=copy)


def test_the_admin_keeps_published_versions_read_only(rf, admin_user):
    current = framework_current()
    request = rf.get("/admin/")
    request.user = admin_user
    framework_admin = site._registry[SurveyFramework]
    assert not framework_admin.has_change_permission(request, current)
    assert not framework_admin.has_delete_permission(request, current)
    area = current.areas.first()
    assert not site._registry[Area].has_change_permission(request, area)
    draft = framework_draft_from(actor=admin_user, version=current)
    assert framework_admin.has_change_permission(request, draft)
