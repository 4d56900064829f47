"""Attach a département to another DT, moving its persons' current DT (logged, issue 13)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from parcours.accounts.models import User
from parcours.people.services import move_department
from parcours.territories.models import Department, Directorate


class Command(BaseCommand):
    help = (
        "Attaches a département to another directorate: the persons living there follow; past "
        "events stay in the DT where they happened (people.services.move_department)."
    )

    def add_arguments(self, parser):
        parser.add_argument("department", help="département code, e.g. 57")
        parser.add_argument("directorate", help="directorate code, e.g. metz")
        parser.add_argument("--reason", required=True, help="why (kept in the log)")
        parser.add_argument("--as", dest="actor", default="", help="e-mail of the user acting")

    def handle(self, *args, department, directorate, reason, actor, **options):
        try:
            target_department = Department.objects.get(code=department)
            target = Directorate.objects.get(code=directorate)
        except (Department.DoesNotExist, Directorate.DoesNotExist) as error:
            raise CommandError(f"unknown département or directorate: {error}") from error
        user = User.objects.filter(email=actor).first() if actor else None
        try:
            moved = move_department(target_department, target, actor=user, reason=reason)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"{moved.department}: {moved.from_directorate} -> {moved.to_directorate}, "
            f"{moved.persons_moved} persons moved"
        )
