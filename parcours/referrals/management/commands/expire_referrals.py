"""Expire unanswered referrals and remind partners (dry-run unless --apply)."""

from django.core.management.base import BaseCommand

from parcours.referrals.notifications import deliver_pending
from parcours.referrals.services import expire_stale_referrals, send_due_reminders


class Command(BaseCommand):
    help = (
        "Liste les orientations sans réponse à expirer et les relances à envoyer ; "
        "--apply pour les traiter."
    )

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="Expirer et relancer réellement.")

    def handle(self, *args, apply=False, **options):
        expired = expire_stale_referrals(apply=apply)
        reminded = send_due_reminders(apply=apply)
        verb = "expirée(s)" if apply else "à expirer"
        self.stdout.write(f"{len(expired)} orientation(s) {verb}")
        for referral in expired:
            self.stdout.write(f"  {referral.reference} – {referral.scheme.name}")
        verb = "relancée(s)" if apply else "à relancer"
        self.stdout.write(f"{len(reminded)} orientation(s) {verb}")
        for referral in reminded:
            self.stdout.write(f"  {referral.reference} – {referral.scheme.name}")
        if apply:
            retried = deliver_pending()
            self.stdout.write(f"{retried} message(s) en attente envoyé(s)")
        else:
            self.stdout.write("Simulation : rien n'a été modifié (ajoutez --apply).")
