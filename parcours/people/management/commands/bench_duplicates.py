"""Print the duplicate finder's precision, recall and time per search (run by `make bench`)."""

from django.core.management.base import BaseCommand

from parcours.people.duplicate_evaluation import evaluate


class Command(BaseCommand):
    help = "Mesure la précision et le rappel du détecteur de doublons sur le jeu étiqueté."

    def handle(self, *args, **options):
        result = evaluate()
        self.stdout.write(result.summary())
        for variant, count in sorted(result.missed.items()):
            self.stdout.write(f"  missed {variant}: {count}")
        for variant, count in sorted(result.wrongly_proposed.items()):
            self.stdout.write(f"  wrongly proposed {variant}: {count}")
