"""Survey framework versions as data: loading the shipped file and publishing drafts."""

import json
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from wellschools.errors import DomainError

FRAMEWORK_DIR = Path(__file__).resolve().parent / "frameworks"
# The six HSE-style areas (support split into manager and colleague support), then overall
# wellbeing and workload.
AREA_KEYS = (
    "demands",
    "control",
    "manager_support",
    "colleague_support",
    "relationships",
    "role",
    "change",
    "wellbeing",
)


def framework_file(number: int) -> dict:
    return json.loads((FRAMEWORK_DIR / f"v{number}.json").read_text(encoding="utf-8"))


def load_into(data: dict, *, models: dict, publish: bool):
    """Create a framework version from data. ``models`` maps names to model classes so a
    migration can pass its historical models."""
    version = models["SurveyFramework"].objects.create(
        number=data["version"],
        title=data["title"],
        scale=list(data["scale"]),
        comment_question=data["comment_question"],
        comment_help=data.get("comment_help", ""),
        status="published" if publish else "draft",
        published_at=timezone.now() if publish else None,
    )
    for area_order, area_data in enumerate(data["areas"]):
        area = models["Area"].objects.create(
            framework=version,
            key=area_data["key"],
            name=area_data["name"],
            summary=area_data.get("summary", ""),
            suggested_action=area_data.get("action", ""),
            order=area_order,
        )
        models["Item"].objects.bulk_create(
            models["Item"](area=area, key=item["key"], text=item["text"], order=order)
            for order, item in enumerate(area_data["items"])
        )
    return version


def framework_problems(version) -> list[str]:
    """What stops a draft from being published (the shape results rely on)."""
    problems = []
    areas = list(version.areas.prefetch_related("items"))
    if sorted(a.key for a in areas) != sorted(AREA_KEYS):
        problems.append("A survey framework has exactly these areas: " + ", ".join(AREA_KEYS) + ".")
    for area in areas:
        count = len(area.items.all())
        if not 3 <= count <= 8:
            problems.append(f"{area.name} has {count} statements; each area needs 3 to 8.")
    if len(version.scale or []) != 5:
        problems.append("The agree scale needs exactly five labels.")
    return problems


def framework_publish(*, actor, version):
    from wellschools.audit import audit_record

    from .models import SurveyFramework

    with transaction.atomic():
        version = SurveyFramework.objects.select_for_update().get(pk=version.pk)
        if version.is_published:
            raise DomainError("This version is already published; published versions never change.")
        problems = framework_problems(version)
        if problems:
            raise DomainError(" ".join(problems))
        version.status = SurveyFramework.Status.PUBLISHED
        version.published_at = timezone.now()
        version.save(update_fields=["status", "published_at"])
        audit_record(actor=actor, action="staffsurvey.framework_published", target=version)
    return version


def framework_draft_from(*, actor, version):
    """A new draft copying a version, to edit in the admin and publish later."""
    from .models import Area, Item, SurveyFramework

    data = {
        "version": (
            SurveyFramework.objects.order_by("-number").values_list("number", flat=True).first()
            or 0
        )
        + 1,
        "title": f"{version.title} (draft)",
        "scale": version.scale,
        "comment_question": version.comment_question,
        "comment_help": version.comment_help,
        "areas": [
            {
                "key": a.key,
                "name": a.name,
                "summary": a.summary,
                "action": a.suggested_action,
                "items": [{"key": i.key, "text": i.text} for i in a.items.all()],
            }
            for a in version.areas.prefetch_related("items")
        ],
    }
    with transaction.atomic():
        return load_into(
            data,
            models={"SurveyFramework": SurveyFramework, "Area": Area, "Item": Item},
            publish=False,
        )


def framework_current():
    """The newest published version (new surveys use it); loads the shipped first version
    if the database has none (a database flushed by tests)."""
    from .models import Area, Item, SurveyFramework

    current = SurveyFramework.objects.filter(status="published").order_by("-number").first()
    if current is not None:
        return current
    with transaction.atomic():
        return load_into(
            framework_file(1),
            models={"SurveyFramework": SurveyFramework, "Area": Area, "Item": Item},
            publish=True,
        )
