from django.core.management.base import BaseCommand

from network.demo import seed_network_demo
from partnership.models import Partnership


class Command(BaseCommand):
    help = "Load the partnership network's demo data (after seed_demo)."

    def handle(self, *args, **options):
        partnership = Partnership.objects.filter(slug="oxfordshire").first()
        if partnership is None:
            self.stderr.write("Run seed_demo first.")
            return
        self.stdout.write(seed_network_demo(partnership))
