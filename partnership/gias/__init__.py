"""Importing schools and trusts from DfE "Get Information About Schools" (GIAS) extracts.

The establishment extract (``edubasealldataYYYYMMDD.csv``, ~60 MB for all of England) is
Windows-1252 text; columns drift between releases, so they are found by header name and
unknown columns are ignored. Head teachers' names and telephone numbers are in the file
and are never read into anything that is kept.

An import first reads and checks every file, then writes in one transaction: any problem
means nothing changes. Running the same files again changes nothing.
"""

import os

from django.db import IntegrityError, transaction

from wellschools.audit import audit_record

from ..models import ImportRun, Membership, Partnership, School, Trust
from .reading import (
    GiasImportError,
    Parsed,
    read_establishments,
    read_groups_and_links,
)

__all__ = ["GiasImportError", "gias_import"]

_BATCH = 500


# --- Writing -----------------------------------------------------------------------------


def _write_trusts(parsed: Parsed, area: list[str] | None = None) -> tuple[dict[str, int], int, int]:
    existing = Trust.objects.in_bulk(list(parsed.trusts), field_name="group_uid")
    if area is not None:
        # A coordinator's import never renames a trust that has schools outside the area.
        protected = set(
            Trust.objects.filter(
                group_uid__in=list(existing),
                schools__in=School.objects.exclude(la_code__in=area),
            ).values_list("group_uid", flat=True)
        )
    new, changed = [], []
    for uid, wanted in parsed.trusts.items():
        trust = existing.get(uid)
        if trust is not None and area is not None and uid in protected:
            continue
        if trust is None:
            new.append(
                Trust(
                    group_uid=uid,
                    name=wanted.get("name") or f"Trust {uid}",
                    group_type=wanted.get("group_type", ""),
                )
            )
            continue
        dirty = False
        if wanted.get("name") and trust.name != wanted["name"]:
            trust.name, dirty = wanted["name"], True
        if "group_type" in wanted and trust.group_type != wanted["group_type"]:
            trust.group_type, dirty = wanted["group_type"], True
        if dirty:
            changed.append(trust)
    Trust.objects.bulk_create(new, batch_size=_BATCH)
    if changed:
        Trust.objects.bulk_update(changed, ["name", "group_type"], batch_size=_BATCH)
    ids = {
        uid: trust.pk
        for uid, trust in Trust.objects.in_bulk(list(parsed.trusts), field_name="group_uid").items()
    }
    return ids, len(new), len(changed)


def _write_schools(
    parsed: Parsed, trust_ids: dict[str, int], touched: list[int]
) -> tuple[int, int, int]:
    """Upsert the schools; appends the URNs it created or changed to ``touched``."""
    existing = School.objects.in_bulk(list(parsed.schools), field_name="urn")
    new, changed = [], []
    fields: set[str] = set()
    for urn, values in parsed.schools.items():
        if parsed.manages_trust:
            code = parsed.school_trust.get(urn)
            values["trust_id"] = trust_ids[code] if code else None
        school = existing.get(urn)
        if school is None:
            new.append(School(urn=urn, **values))
            continue
        different = [name for name, value in values.items() if getattr(school, name) != value]
        if different:
            for name in different:
                setattr(school, name, values[name])
            fields.update(different)
            changed.append(school)
    School.objects.bulk_create(new, batch_size=_BATCH)
    touched.extend(school.urn for school in (*new, *changed))
    if changed:
        names = sorted("trust" if name == "trust_id" else name for name in fields)
        School.objects.bulk_update(changed, names, batch_size=_BATCH)
    return len(new), len(changed), len(parsed.schools) - len(new) - len(changed)


def gias_import(
    *,
    establishments,
    la_codes: list[str] | None = None,
    groups=None,
    links=None,
    actor=None,
    filename: str = "",
    partnership: Partnership | None = None,
) -> ImportRun:
    """Create or update schools (by URN) and trusts (by Group UID) from GIAS files.

    ``establishments``, ``groups`` and ``links`` are binary file-like objects. Closed
    schools are marked closed, and schools missing from the file are left alone. Raises
    GiasImportError, changing nothing, if any file can't be read or any imported row is
    malformed.

    A coordinator's import (``partnership``) stays inside the partnership's area (its LA
    codes, which it must have; docs/gias.md, "The area rule"): it creates a school only
    when the file's LA code is in the area, updates only schools whose *stored* LA code is
    in the area and whose file LA code is too, and never renames a trust that has schools
    outside the area. Rows of other areas are *skipped*; rows about a stored school that
    the area rule keeps out are *refused* and listed by URN. Without ``partnership`` (a
    platform admin's command or admin page) ``la_codes`` filters by the file's LA code
    (an empty list means every row of England)."""
    if (groups is None) != (links is None):
        raise GiasImportError(
            "Give both the GIAS groups file (allgroupsdata.csv) and the links file "
            "(alllinksdata.csv), or neither."
        )
    area: list[str] | None = None
    if partnership is not None:
        area = sorted({str(code).strip() for code in partnership.la_codes if str(code).strip()})
        if not area:
            raise GiasImportError(
                f"{partnership.name} has no local-authority codes, so the import cannot tell "
                "which schools are yours. A platform admin sets them in the admin.",
                field="establishments",
            )
        codes = area
    else:
        codes = sorted({str(code).strip() for code in la_codes or [] if str(code).strip()})
    parsed = Parsed()
    area_urns = (
        set(School.objects.filter(la_code__in=area).values_list("urn", flat=True))
        if area is not None
        else None
    )
    read_establishments(establishments, set(codes) or None, parsed, area_urns)
    if area is not None:
        # A row in the area's LA about a school stored elsewhere would take it over.
        outside = School.objects.filter(urn__in=list(parsed.schools)).exclude(la_code__in=area)
        for urn in outside.values_list("urn", flat=True):
            parsed.refused.add(urn)
            del parsed.schools[urn]
            parsed.school_trust.pop(urn, None)
    if groups is not None:
        read_groups_and_links(groups, links, parsed)
    filename = (filename or os.path.basename(str(getattr(establishments, "name", "") or "")))[:255]
    refused = sorted(parsed.refused)

    try:
        with transaction.atomic():
            trust_ids, trusts_created, trusts_updated = _write_trusts(parsed, area)
            touched: list[int] = []
            created, updated, unchanged = _write_schools(parsed, trust_ids, touched)
            run = ImportRun.objects.create(
                actor=actor if actor is not None and actor.pk else None,
                partnership=partnership,
                filename=filename,
                la_codes=codes,
                created=created,
                updated=updated,
                unchanged=unchanged,
                skipped=parsed.skipped,
                trusts_created=trusts_created,
                refused_urns=refused,
            )
            data = {
                "filename": filename,
                "la_codes": codes,
                "created": created,
                "updated": updated,
                "unchanged": unchanged,
                "skipped": parsed.skipped,
                "refused_outside_area": refused,
                "trusts_created": trusts_created,
                "trusts_updated": trusts_updated,
            }
            audit_record(
                actor=actor,
                action="import.run",
                target=run,
                partnership_id=partnership.pk if partnership is not None else None,
                data=data,
            )
            _audit_member_schools_changed(
                actor=actor, run=run, touched=touched, importer=partnership
            )
    except IntegrityError as exc:
        raise GiasImportError(
            "Another change to these schools or trusts happened during the import; "
            "nothing was changed. Run the import again."
        ) from exc
    return run


def _audit_member_schools_changed(
    *, actor, run: ImportRun, touched: list[int], importer: Partnership | None
) -> None:
    """Every partnership whose member school the import created or changed hears of it in
    its own audit log (not only the partnership that imported)."""
    if not touched:
        return
    by_partnership: dict[int, list[int]] = {}
    for partnership_id, urn in Membership.objects.filter(school__urn__in=touched).values_list(
        "partnership_id", "school__urn"
    ):
        by_partnership.setdefault(partnership_id, []).append(urn)
    for partnership_id, urns in sorted(by_partnership.items()):
        audit_record(
            actor=actor,
            action="import.member_schools_changed",
            target=run,
            partnership_id=partnership_id,
            data={
                "filename": run.filename,
                "urns": sorted(urns),
                "imported_by_partnership": importer.pk if importer is not None else None,
            },
        )
