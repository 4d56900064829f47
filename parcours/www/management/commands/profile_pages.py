"""Measure the CPU each page of `make bench` costs in this process, and where it goes.

In-process (Django's test client through the whole middleware stack, no HTTP server), one
request after the other, on the current database with `generate_dataset`'s data: per page, the
CPU milliseconds (time.process_time) and wall milliseconds per request at p50, the statements,
and with --profile the functions that cost the most (cProfile). What bench_pages measures over
HTTP under load, taken apart (issue 12): run with DEBUG=0, as production renders templates.
"""

import cProfile
import io
import pstats
import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY

from parcours.www.bench import runner


def _client(email: str, membership_id=None) -> Client:
    """A signed-in client whose session holds a verified TOTP device, as after sign-in."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from parcours.accounts.models import User
    from parcours.organisations.middleware import SESSION_KEY

    user = User.objects.get(email=email)
    device = TOTPDevice.objects.get(user=user, name=runner.BENCH_DEVICE)
    client = Client(enforce_csrf_checks=False)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    if membership_id is not None:
        session[SESSION_KEY] = membership_id
    session.save()
    return client


class Command(BaseCommand):
    help = (
        "Mesure le temps processeur de chaque page de make bench dans ce processus (client de "
        "test, requêtes l'une après l'autre) ; --profile montre les fonctions les plus coûteuses."
    )

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=50, help="Requêtes par page.")
        parser.add_argument("--warmup", type=int, default=3, help="Requêtes non comptées.")
        parser.add_argument("--page", action="append", help="Ne mesurer que ces pages (nom).")
        parser.add_argument("--profile", action="store_true", help="Profil cProfile par page.")
        parser.add_argument("--top", type=int, default=25, help="Lignes du profil.")
        parser.add_argument(
            "--trace",
            action="store_true",
            help="Chaque requête SQL de la dernière requête mesurée, avec son temps.",
        )

    def handle(self, *args, **options):
        if settings.DEBUG:
            raise CommandError("Lancez avec DEBUG=0 : les gabarits se rendent comme en production.")
        chosen = runner._select()
        accounts, partner_membership = runner._prepare_accounts(runner.ACCOUNTS, runner.PARTNER)
        clients = {email: _client(email) for email in runner.ACCOUNTS}
        clients[runner.PARTNER] = _client(runner.PARTNER, partner_membership)
        pages = {
            "plancher": (None, "get", "/mesure/plancher/"),
            "accueil auditeur": (runner.AUDITOR, "get", "/"),
            "fiche du jour": (runner.RECEPTION, "get", f"/pfa/sessions/{chosen.session_id}/"),
            "dossier": (runner.RECEPTION, "get", f"/personnes/{chosen.person_id}/"),
            "recherche": (runner.RECEPTION, "get", "/personnes/?q=HADDAD"),
            "liste": (runner.RECEPTION, "get", "/personnes/?q="),
            "à traiter": (runner.RECEPTION, "get", "/pfa/a-traiter/"),
            "chiffres DT": (
                runner.DIRECTOR,
                "get",
                f"/chiffres/?start={chosen.month}&end={chosen.month}",
            ),
            "export XLSX": (
                runner.DIRECTOR,
                "get",
                f"/chiffres/export.xlsx?start={chosen.month}&end={chosen.month}",
            ),
            "export CSV": (runner.DIRECTOR, "get", "/pfa/recapitulatif.csv"),
            "vue régionale": (
                runner.REGIONAL,
                "get",
                f"/chiffres/?start={chosen.month}&end={chosen.month}",
            ),
            "année nationale": (
                runner.NATIONAL,
                "get",
                f"/chiffres/?start={chosen.year}-01&end={chosen.year}-12",
            ),
            "orientations reçues": (runner.PARTNER, "get", "/orientations-recues/"),
            # Not in bench_pages: the referrer's side, the DT's every referral (issue 12).
            "orientations envoyées": (runner.AUDITOR, "get", "/orientations/"),
            "accepter": (runner.PARTNER, "post", "/orientations-recues/{pk}/accepter/"),
        }
        wanted = options["page"]
        referrals = iter(chosen.referral_ids)
        for name, (email, method, path) in pages.items():
            if wanted and name not in wanted:
                continue
            client = clients[email] if email else Client()
            writes = "{pk}" in path
            count = min(options["requests"], len(chosen.referral_ids)) if writes else None
            count = count or options["requests"]
            warmup = 0 if writes else options["warmup"]

            def request(client=client, method=method, path=path, writes=writes):
                url = path.format(pk=next(referrals)) if writes else path
                if method == "post":
                    return client.post(url, {"accept-comment": ""}, secure=True)
                return client.get(url, secure=True)

            for _ in range(warmup):
                request()
            cpus, walls, statements = [], [], set()
            profiler = cProfile.Profile() if options["profile"] else None
            for _ in range(count):
                with CaptureQueriesContext(connection) as queries:
                    wall, cpu = time.perf_counter(), time.process_time()
                    if profiler:
                        profiler.enable()
                    response = request()
                    if profiler:
                        profiler.disable()
                    cpus.append((time.process_time() - cpu) * 1000)
                    walls.append((time.perf_counter() - wall) * 1000)
                if response.status_code not in (200, 302):
                    raise CommandError(f"{name} : HTTP {response.status_code}")
                statements.add(len(queries))
            self.stdout.write(
                f"{name:<18} CPU p50 {statistics.median(cpus):6.1f} ms  "
                f"mur p50 {statistics.median(walls):6.1f} ms  "
                f"SQL {'/'.join(map(str, sorted(statements)))}  ({count} requêtes)"
            )
            if options["trace"]:
                self._trace(queries.captured_queries)
            if profiler:
                out = io.StringIO()
                stats = pstats.Stats(profiler, stream=out)
                stats.sort_stats("cumulative").print_stats(options["top"])
                stats.sort_stats("tottime").print_stats(options["top"])
                self.stdout.write(out.getvalue())

    def _trace(self, captured):
        """The statements in the order they ran; the slow ones (> 10 ms) marked."""
        total = sum(float(query["time"]) for query in captured) * 1000
        self.stdout.write(f"  {len(captured)} requêtes SQL, {total:.1f} ms")
        for index, query in enumerate(captured, 1):
            ms = float(query["time"]) * 1000
            mark = "!" if ms > 10 else " "
            self.stdout.write(f"  {mark}{index:3d} {ms:8.1f} ms  {query['sql'][:400]}")
