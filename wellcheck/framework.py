"""Framework versions as data: loading the shipped file, drafting and publishing."""

import json
from functools import cache
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from wellschools.errors import DomainError

FRAMEWORK_DIR = Path(__file__).resolve().parent / "frameworks"
PILLAR_KEYS = ("well_culture", "lead_well", "move_well", "live_well")


@cache
def shipped_pillars() -> list[tuple[str, str]]:
    """(key, name) of each pillar in the newest shipped framework file, in order."""
    newest = max(int(path.stem[1:]) for path in FRAMEWORK_DIR.glob("v*.json"))
    return [(pillar["key"], pillar["name"]) for pillar in framework_file(newest)["pillars"]]


def framework_file(number: int) -> dict:
    return json.loads((FRAMEWORK_DIR / f"v{number}.json").read_text(encoding="utf-8"))


def load_into(data: dict, *, models: dict, publish: bool):
    """Create a framework version from data. ``models`` maps names to model classes so a
    migration can pass its historical models."""
    FrameworkVersion = models["FrameworkVersion"]
    version = FrameworkVersion.objects.create(
        number=data["version"],
        title=data["title"],
        status="published" if publish else "draft",
        published_at=timezone.now() if publish else None,
    )
    for p_order, pillar_data in enumerate(data["pillars"]):
        pillar = models["Pillar"].objects.create(
            framework=version,
            key=pillar_data["key"],
            name=pillar_data["name"],
            summary=pillar_data.get("summary", ""),
            order=p_order,
        )
        models["Question"].objects.bulk_create(
            models["Question"](
                pillar=pillar,
                key=q["key"],
                text=q["text"],
                guidance=q.get("guidance", ""),
                strong_looks_like=q.get("strong", ""),
                order=order,
            )
            for order, q in enumerate(pillar_data["questions"])
        )
    models["DataQuestion"].objects.bulk_create(
        models["DataQuestion"](
            framework=version,
            key=d["key"],
            text=d["text"],
            help_text=d.get("help", ""),
            unit=d["unit"],
            minimum=d["minimum"],
            maximum=d["maximum"],
            integer_only=d.get("integer", False),
            order=order,
        )
        for order, d in enumerate(data["data_questions"])
    )
    return version


def framework_problems(version) -> list[str]:
    """What stops a draft from being published (the shape every feature relies on)."""
    problems = []
    pillars = list(version.pillars.prefetch_related("questions"))
    keys = [p.key for p in pillars]
    if sorted(keys) != sorted(PILLAR_KEYS):
        problems.append("A framework has exactly the four pillars: " + ", ".join(PILLAR_KEYS) + ".")
    for pillar in pillars:
        count = len(pillar.questions.all())
        if not 6 <= count <= 10:
            problems.append(f"{pillar.name} has {count} questions; each pillar needs 6 to 10.")
    if version.data_questions.count() < 1:
        problems.append("Add at least one data question.")
    return problems


def framework_publish(*, actor, version):
    from wellschools.audit import audit_record

    from .models import FrameworkVersion

    with transaction.atomic():
        version = FrameworkVersion.objects.select_for_update().get(pk=version.pk)
        if version.is_published:
            raise DomainError("This version is already published; published versions never change.")
        problems = framework_problems(version)
        if problems:
            raise DomainError(" ".join(problems))
        version.status = FrameworkVersion.Status.PUBLISHED
        version.published_at = timezone.now()
        version.save(update_fields=["status", "published_at"])
        audit_record(actor=actor, action="framework.published", target=version)
    return version


def _models() -> dict:
    """The current models, by the names ``load_into`` asks for (a migration passes its
    historical ones instead)."""
    from .models import DataQuestion, FrameworkVersion, Pillar, Question

    return {
        "FrameworkVersion": FrameworkVersion,
        "Pillar": Pillar,
        "Question": Question,
        "DataQuestion": DataQuestion,
    }


def framework_draft_from(*, actor, version):
    """A new draft that copies a version, to edit in the admin and publish later."""
    from .models import FrameworkVersion

    data = {
        "version": (
            FrameworkVersion.objects.order_by("-number").values_list("number", flat=True).first()
            or 0
        )
        + 1,
        "title": f"{version.title} (draft)",
        "pillars": [
            {
                "key": p.key,
                "name": p.name,
                "summary": p.summary,
                "questions": [
                    {
                        "key": q.key,
                        "text": q.text,
                        "guidance": q.guidance,
                        "strong": q.strong_looks_like,
                    }
                    for q in p.questions.all()
                ],
            }
            for p in version.pillars.prefetch_related("questions")
        ],
        "data_questions": [
            {
                "key": d.key,
                "text": d.text,
                "help": d.help_text,
                "unit": d.unit,
                "minimum": d.minimum,
                "maximum": d.maximum,
                "integer": d.integer_only,
            }
            for d in version.data_questions.all()
        ],
    }
    models = _models()
    with transaction.atomic():
        return load_into(data, models=models, publish=False)


def framework_ensure_first():
    """Load the shipped first version if it is missing (the migration loads it; a database
    flushed by tests or restored from elsewhere may not have it)."""
    from .models import FrameworkVersion

    existing = FrameworkVersion.objects.filter(number=1).first()
    if existing:
        return existing
    models = _models()
    with transaction.atomic():
        return load_into(framework_file(1), models=models, publish=True)
