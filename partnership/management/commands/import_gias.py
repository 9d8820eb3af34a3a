"""python manage.py import_gias PATH [--la CODE ...] [--groups PATH --links PATH]"""

import os
from contextlib import ExitStack

from django.core.management.base import BaseCommand, CommandError

from partnership.gias import GiasImportError, gias_import


class Command(BaseCommand):
    help = (
        "Import schools and trusts from a DfE GIAS establishment extract "
        "(edubasealldataYYYYMMDD.csv, Windows-1252). Re-running the same file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The GIAS establishment extract (CSV).")
        parser.add_argument(
            "--la",
            dest="la",
            action="extend",
            nargs="+",
            default=None,
            metavar="CODE",
            help="Only import schools in these local authorities (e.g. 931 for Oxfordshire).",
        )
        parser.add_argument("--groups", help="GIAS allgroupsdata.csv (needs --links).")
        parser.add_argument("--links", help="GIAS alllinksdata.csv (needs --groups).")

    def handle(self, *args, path, la=None, groups=None, links=None, **options):
        if (groups is None) != (links is None):
            raise CommandError("--groups and --links must be given together.")
        with ExitStack() as stack:
            establishments = self._open(stack, path)
            groups_file = self._open(stack, groups) if groups else None
            links_file = self._open(stack, links) if links else None
            try:
                run = gias_import(
                    establishments=establishments,
                    la_codes=la,
                    groups=groups_file,
                    links=links_file,
                    actor=None,
                    filename=os.path.basename(path),
                )
            except GiasImportError as exc:
                raise CommandError(f"{exc.message} Nothing was changed.") from exc
        self.stdout.write(f"GIAS import: {run.summary}")

    @staticmethod
    def _open(stack: ExitStack, path: str):
        try:
            return stack.enter_context(open(path, "rb"))
        except OSError as exc:
            raise CommandError(f"Can't open {path}: {exc.strerror or exc}.") from exc
