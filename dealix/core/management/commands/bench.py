"""`make bench`: one JSON object per line per figure. See docs/PERFORMANCE.md for what they mean.
A figure function returns one figure, or a list of them (one page measured as several roles)."""
import importlib
import json

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Measure the figures every app declares in its bench.py and print one JSON line each."

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", help="only the figures whose function names are given")

    def handle(self, *args, **options):
        for app in apps.get_app_configs():
            try:
                module = importlib.import_module(f"{app.name}.bench")
            except ModuleNotFoundError as error:
                if error.name == f"{app.name}.bench":
                    continue
                raise
            for figure in getattr(module, "FIGURES", []):
                if options["names"] and figure.__name__ not in options["names"]:
                    continue
                measured = figure()
                for line in measured if isinstance(measured, list) else [measured]:
                    self.stdout.write(json.dumps(line, ensure_ascii=False, default=str))
                    self.stdout.flush()
