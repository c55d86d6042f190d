"""The clock: RQ's cron scheduler queuing each periodic job (dealix.core.schedule) on its schedule. One
clock process per deployment; the work itself runs on the RQ workers, tenant by tenant."""
import django_rq
from django.core.management.base import BaseCommand
from rq.cron import CronScheduler

from dealix.core import schedule


class Command(BaseCommand):
    help = "Run RQ's cron scheduler for Dealix's periodic jobs (--once: queue every job for every tenant now)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--job", action="append", help="with --once, only this job (dotted path); repeatable")

    def handle(self, *args, **options):
        if options["once"]:
            self.stdout.write(f"clock: queued {schedule.run_all_once(options['job'])} periodic jobs")
            return
        scheduler = CronScheduler(connection=django_rq.get_connection("default"))
        for periodic in schedule.PERIODIC_JOBS:
            scheduler.register(schedule.fan_out, queue_name="default", args=(periodic.path,), cron=periodic.cron,
                               name=periodic.path)
        self.stdout.write(f"clock: {len(schedule.PERIODIC_JOBS)} periodic jobs scheduled")
        scheduler.start()  # returns on SIGINT/SIGTERM
