"""`manage.py bench_pages`: the pages of issue 12 measured over HTTP, as in production.

Starts gunicorn (several workers, DEBUG off, a generated secret, collected static files) on the
current PostgreSQL database, signs the demo accounts in with their password and a TOTP code
(a bench-only device whose key this process draws, as an authenticator application would hold
it), then hands a plan to the load generator (`parcours.www.bench.load`, another process):
16 clients on 127.0.0.1, each page bounded in requests and in seconds, beside the floor (a bare
Django view of 20 KB served by the same server). Statements per request come from the
X-Parcours-Queries header that PARCOURS_BENCH adds (bench.middleware).
"""

from __future__ import annotations

import datetime
import io
import json
import os
import platform
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef
from django.utils import timezone

from parcours.core.freshness import figures_changed
from parcours.www.bench.load import Request, send

BENCH_DEVICE = "Mesure de performance (make bench)"
CLIENTS = 16
WORKERS = 4
REQUESTS_PER_PAGE = 400
SECONDS_PER_PAGE = 45
WRITES = 60  # referral accepts and imports: each request changes different rows
# The service run before each page's load: one client, SERVICE_WARMUP then SERVICE_REQUESTS
# requests one after the other (the write pages get SERVICE_WRITES rows of their own, no
# warm-up: a write cannot be repeated).
SERVICE_WARMUP = 3
SERVICE_REQUESTS = 20
SERVICE_WRITES = 10
SERVICE_SECONDS = 30


@dataclass
class Account:
    email: str
    key: str = ""
    cookies: dict[str, str] = field(default_factory=dict)


@dataclass
class Page:
    name: str
    account: str | None
    requests: list[Request]
    expect: tuple[int, ...] = (200,)
    count: int = REQUESTS_PER_PAGE
    target: str = ""
    # The requests of the one-client service run; None: the page's own (GET pages).
    service_requests: list[Request] | None = None


# --------------------------------------------------------------------------------------------
# What the pages show: chosen from the data, so both sizes measure the same kind of page
# --------------------------------------------------------------------------------------------


@dataclass
class Selection:
    month: str
    year: int
    session_id: int
    session_size: int
    person_id: int
    referral_ids: list[int]
    import_session_ids: list[int]
    import_file: bytes
    persons: int


def _select(directorate_code: str = "metz") -> Selection:
    from parcours.indicators.dataset import BENCH_EMAIL
    from parcours.indicators.periods import Month
    from parcours.people.models import Person
    from parcours.reception.models import Convocation, ReceptionSession
    from parcours.territories.models import Directorate

    directorate = Directorate.objects.get(code=directorate_code)
    generated = ReceptionSession.objects.filter(
        directorate=directorate, convocations__person__created_by__email=BENCH_EMAIL
    )
    last = generated.aggregate(last=Max("date"))["last"]
    if last is None:
        raise RuntimeError("Aucun jeu de données : lancez d'abord generate_dataset.")
    # The last complete month of data before today, and the last complete year before it
    # (else the data's year).
    month = Month.of(min(last, timezone.localdate())).previous
    first_year = ReceptionSession.objects.filter(directorate=directorate).earliest("date").date
    year = month.year - 1 if month.year - 1 >= first_year.year else month.year
    # The largest session of that month: the day sheet a reception day works on.
    session = (
        generated.filter(date__gte=month.first_day, date__lte=month.last_day)
        .annotate(size=Count("convocations"))
        .order_by("-size", "pk")
        .first()
    )
    # A person of that month with the whole pathway (CIR, CIP interview, referrals).
    person_id = (
        Convocation.objects.filter(session=session, status="present")
        .exclude(employment_check=None)
        .order_by("pk")
        .values_list("person_id", flat=True)
        .first()
    )
    return Selection(
        month=str(month),
        year=year,
        session_id=session.pk,
        session_size=session.size,
        person_id=person_id,
        referral_ids=_fresh_referrals(directorate),
        import_session_ids=_import_sessions(directorate),
        import_file=_import_file(directorate),
        persons=Person.objects.count(),
    )


def _bench_partner(directorate):
    from parcours.organisations.models import Organisation

    return Organisation.objects.get(name=f"Partenaire de mesure – {directorate.name}")


def _fresh_referrals(directorate) -> list[int]:
    """WRITES + SERVICE_WRITES referrals just sent to the DT's bench partner, for the accepts
    to answer."""
    from parcours.indicators.dataset import _bench_user
    from parcours.organisations.models import Organisation
    from parcours.people.models import Person
    from parcours.referrals.models import Referral, ReferralTransition
    from parcours.referrals.states import OPEN_STATES

    partner = _bench_partner(directorate)
    scheme = partner.schemes.order_by("pk").first()
    referrer = Organisation.objects.filter(directorate=directorate).order_by("pk").first()
    user = _bench_user()
    now = timezone.now()
    open_here = Referral.objects.filter(
        person=OuterRef("pk"), scheme=scheme, status__in=sorted(OPEN_STATES)
    )
    persons = list(
        Person.objects.filter(directorate=directorate, created_by=user)
        .exclude(Exists(open_here))
        .order_by("-pk")[: WRITES + SERVICE_WRITES]
    )
    referrals = Referral.objects.bulk_create(
        Referral(
            person=person,
            # The referral's DT, copied as save() would (ADR 0013; bulk_create skips save()).
            directorate_id=person.directorate_id,
            scheme=scheme,
            status="sent",
            origin="interview",
            referred_by=user,
            referrer_organisation=referrer,
            eligibility_status="eligible",
            created_at=now,
            sent_at=now,
            consent_given_at=now,
        )
        for person in persons
    )
    transitions = [
        ReferralTransition(
            referral=r, name=name, from_status=source, to_status=target, at=now, by=user
        )
        for r in referrals
        for name, source, target in [("create", "", "draft"), ("send", "draft", "sent")]
    ]
    for transition in transitions:
        transition.fill_facts()  # the copies save() would set (ADR 0022; bulk_create skips it)
    ReferralTransition.objects.bulk_create(transitions)
    figures_changed()  # bulk_create sends no signal (core/freshness.py)
    return [r.pk for r in referrals]


def _import_sessions(directorate) -> list[int]:
    """WRITES + SERVICE_WRITES future sessions, one per import request: each import convokes
    into its own."""
    from parcours.reception.models import ReceptionSession

    day = timezone.localdate() + datetime.timedelta(days=400)
    stamp = secrets.token_hex(3)
    sessions = ReceptionSession.objects.bulk_create(
        ReceptionSession(
            directorate=directorate,
            date=day,
            half_day="morning",
            place=f"Salle de mesure {stamp}-{index}",
            address="Adresse de la DT",
            start_time=datetime.time(8, 30),
            capacity=60,
        )
        for index in range(WRITES + SERVICE_WRITES)
    )
    figures_changed()
    return [s.pk for s in sessions]


def _import_file(directorate) -> bytes:
    """An XLSX list of 30 AGDREF numbers of the DT (the demo's persons carry them)."""
    from openpyxl import Workbook

    from parcours.people.models import Person

    numbers = list(
        Person.objects.filter(directorate=directorate, anonymised_at=None)
        .exclude(agdref_number="")
        .exclude(agdref_number=None)
        .order_by("pk")
        .values_list("agdref_number", flat=True)[:30]
    )
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["AGDREF"])
    for number in numbers:
        sheet.append([number])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _prepare_accounts(emails: list[str], partner_email: str, directorate_code="metz"):
    """A bench TOTP device per account (fresh key), and the partner's seat at the bench partner."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from parcours.accounts.models import User
    from parcours.organisations.models import Membership
    from parcours.organisations.roles import Role
    from parcours.territories.models import Directorate

    accounts = {}
    for email in emails:
        user = User.objects.get(email=email)
        if TOTPDevice.objects.filter(user=user, confirmed=True).exclude(name=BENCH_DEVICE):
            raise RuntimeError(f"{email} a déjà un appareil TOTP : utilisez une base de mesure.")
        key = secrets.token_hex(20)
        TOTPDevice.objects.update_or_create(
            user=user,
            name=BENCH_DEVICE,
            defaults={"key": key, "confirmed": True, "last_t": -1, "throttling_failure_count": 0},
        )
        accounts[email] = Account(email, key)
    partner = _bench_partner(Directorate.objects.get(code=directorate_code))
    membership, _created = Membership.objects.get_or_create(
        user=User.objects.get(email=partner_email),
        organisation=partner,
        defaults={"role": Role.PARTNER_COUNSELLOR},
    )
    return accounts, membership.pk


# --------------------------------------------------------------------------------------------
# The server and signing in
# --------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def shared_cache(log) -> str:
    """The Redis database the server's workers share for the figures' cache, emptied first, as
    on several web machines (docs/deployment.md); "" when `BENCH_REDIS_URL` is unset or does
    not answer: each worker then keeps its own cache, as one machine without Redis does.

    Emptied because two bench databases (or one generated again) number their generations
    alike: a page cached from one must not be served from the other."""
    import redis

    url = os.environ.get("BENCH_REDIS_URL", "")
    if not url:
        return ""
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
    except redis.exceptions.RedisError as error:
        log(f"Redis injoignable ({error}) : cache propre à chaque processus gunicorn.")
        return ""
    return url


def _server_env(port: int, redis_url: str = "") -> dict[str, str]:
    env = dict(os.environ)
    # Never a REDIS_URL of the environment: the bench empties the one it uses.
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": os.environ["DATABASE_URL"],
            "CONN_MAX_AGE": "60",
            "PARCOURS_BENCH": "1",
            "PARCOURS_DEMO_SKIP_2FA": "0",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def start_server(port: int, log_path: Path, redis_url: str = "") -> subprocess.Popen:
    env = _server_env(port, redis_url)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
    )
    log = log_path.open("w")
    # The command line is this interpreter and fixed arguments: nothing comes from input.
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "parcours.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--timeout",
            "120",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _h, _b = send(
                "127.0.0.1", port, Request("GET", "/sante/", _proxy_headers(port))
            )
            if status == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.5)
    server.terminate()
    raise RuntimeError(f"gunicorn n'a pas démarré, voir {log_path}")


def _proxy_headers(port: int) -> dict[str, str]:
    # As behind the TLS-terminating proxy of production (SECURE_PROXY_SSL_HEADER).
    return {"Host": f"127.0.0.1:{port}", "X-Forwarded-Proto": "https"}


def _headers(port, cookies: dict[str, str], **extra) -> dict[str, str]:
    headers = _proxy_headers(port)
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    headers.update(extra)
    return headers


def _post_headers(port, cookies, content_type="application/x-www-form-urlencoded"):
    return _headers(
        port,
        cookies,
        **{
            "Origin": f"https://127.0.0.1:{port}",
            "Referer": f"https://127.0.0.1:{port}/",
            "Content-Type": content_type,
            "X-CSRFToken": cookies.get("csrftoken", ""),
        },
    )


def _call(port, account: Account, method, path, body: bytes = b"", content_type=None):
    headers = (
        _post_headers(port, account.cookies, content_type or "application/x-www-form-urlencoded")
        if method == "POST"
        else _headers(port, account.cookies)
    )
    status, headers_in, _body = send("127.0.0.1", port, Request(method, path, headers, body))
    for line in headers_in.get("set-cookie", []):
        for name, morsel in SimpleCookie(line).items():
            account.cookies[name] = morsel.value
    return status, headers_in


def sign_in(port, account: Account, password: str) -> None:
    """Password, then the TOTP code of the bench device: the production sign-in, over HTTP."""
    from django_otp.oath import totp

    _call(port, account, "GET", "/connexion/")
    form = {
        "username": account.email,
        "password": password,
        "csrfmiddlewaretoken": account.cookies.get("csrftoken", ""),
    }
    status, headers = _call(port, account, "POST", "/connexion/", urlencode(form).encode())
    if status != 302:
        raise RuntimeError(f"Connexion de {account.email} refusée (HTTP {status})")
    location = headers.get("location", ["/"])[0]
    status, headers = _call(port, account, "GET", location)
    code = f"{totp(bytes.fromhex(account.key), step=30, t0=0, digits=6):06d}"
    form = {"token": code, "csrfmiddlewaretoken": account.cookies.get("csrftoken", "")}
    status, headers = _call(
        port, account, "POST", "/compte/double-authentification/", urlencode(form).encode()
    )
    if status != 302:
        raise RuntimeError(f"Code TOTP de {account.email} refusé (HTTP {status})")


def _multipart(fields: dict[str, str], name: str, filename: str, content: bytes):
    boundary = secrets.token_hex(12)
    parts = []
    for key, value in fields.items():
        parts.append(
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="{key}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/vnd.openxmlformats-'
            "officedocument.spreadsheetml.sheet\r\n\r\n"
        ).encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# --------------------------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------------------------

RECEPTION = "accueil@demo.parcours.test"
AUDITOR = "auditeur@demo.parcours.test"
DIRECTOR = "directeur@demo.parcours.test"
PARTNER = "cip@demo.parcours.test"
REGIONAL = "dreets@demo.parcours.test"
NATIONAL = "national@demo.parcours.test"
ACCOUNTS = [RECEPTION, AUDITOR, DIRECTOR, PARTNER, REGIONAL, NATIONAL]


def plan(port, accounts: dict[str, Account], chosen: Selection) -> list[Page]:
    def get(email, path):
        return Request(
            "GET", path, _headers(port, accounts[email].cookies) if email else _proxy_headers(port)
        )

    def post(email, path, body: bytes, content_type="application/x-www-form-urlencoded"):
        account = accounts[email]
        return Request("POST", path, _post_headers(port, account.cookies, content_type), body)

    month = {"start": chosen.month, "end": chosen.month}
    year = {"start": f"{chosen.year}-01", "end": f"{chosen.year}-12"}
    token = accounts[PARTNER].cookies.get("csrftoken", "")
    accepts = [
        post(
            PARTNER,
            f"/orientations-recues/{pk}/accepter/",
            urlencode({"csrfmiddlewaretoken": token, "accept-comment": ""}).encode(),
        )
        for pk in chosen.referral_ids
    ]
    imports = []
    for pk in chosen.import_session_ids:
        body, content_type = _multipart(
            {
                "csrfmiddlewaretoken": accounts[RECEPTION].cookies.get("csrftoken", ""),
                "source": "file",
            },
            "agdref_file",
            "convocations.xlsx",
            chosen.import_file,
        )
        imports.append(post(RECEPTION, f"/pfa/sessions/{pk}/convoquer/", body, content_type))
    five, three, fast = "≤ 5× plancher", "≤ 3× plancher", "≤ 100 ms"
    return [
        Page("plancher : vue Django nue de 20 Ko", None, [get(None, "/mesure/plancher/")]),
        Page("accueil de l'auditeur intégration /", AUDITOR, [get(AUDITOR, "/")], target=five),
        Page(
            f"fiche du jour, session de {chosen.session_size} personnes",
            RECEPTION,
            [get(RECEPTION, f"/pfa/sessions/{chosen.session_id}/")],
            target=three,
        ),
        Page(
            "dossier d'une personne",
            RECEPTION,
            [get(RECEPTION, f"/personnes/{chosen.person_id}/")],
            target=three,
        ),
        Page(
            "recherche de personnes ?q=HADDAD",
            RECEPTION,
            [get(RECEPTION, "/personnes/?q=HADDAD")],
            target=fast,
        ),
        Page("liste des personnes", RECEPTION, [get(RECEPTION, "/personnes/?q=")], target=fast),
        Page(
            "listes à traiter /pfa/a-traiter/",
            RECEPTION,
            [get(RECEPTION, "/pfa/a-traiter/")],
            target=fast,
        ),
        Page(
            f"chiffres de la DT, {chosen.month}",
            DIRECTOR,
            [get(DIRECTOR, f"/chiffres/?{urlencode(month)}")],
            target="≤ 150 ms",
        ),
        Page(
            f"export XLSX des chiffres, {chosen.month}",
            DIRECTOR,
            [get(DIRECTOR, f"/chiffres/export.xlsx?{urlencode(month)}")],
            target=five,
        ),
        Page(
            "export CSV du récapitulatif",
            DIRECTOR,
            [get(DIRECTOR, "/pfa/recapitulatif.csv")],
            target=five,
        ),
        Page(
            "vue régionale de la DREETS",
            REGIONAL,
            [get(REGIONAL, f"/chiffres/?{urlencode(month)}")],
            target="≤ 150 ms",
        ),
        Page(
            f"année nationale {chosen.year}",
            NATIONAL,
            [get(NATIONAL, f"/chiffres/?{urlencode(year)}")],
            target="≤ 1 s",
        ),
        Page(
            "orientations reçues (partenaire)",
            PARTNER,
            [get(PARTNER, "/orientations-recues/")],
            target=fast,
        ),
        Page(
            "accepter une orientation",
            PARTNER,
            accepts[:-SERVICE_WRITES],
            expect=(302,),
            count=len(accepts) - SERVICE_WRITES,
            target=five,
            service_requests=accepts[-SERVICE_WRITES:],
        ),
        Page(
            # Issue 17: the POST reads and plans the file, keeps it and redirects to the
            # preview; the convocations are written by the confirmation, not measured here.
            "import XLSX de 30 convocations",
            RECEPTION,
            imports[:-SERVICE_WRITES],
            expect=(302,),
            count=len(imports) - SERVICE_WRITES,
            target=five,
            service_requests=imports[-SERVICE_WRITES:],
        ),
    ]


# --------------------------------------------------------------------------------------------
# Running and printing
# --------------------------------------------------------------------------------------------


def create_database() -> str:
    """Create the database DATABASE_URL names, on its server, unless it exists."""
    import psycopg
    from psycopg import sql

    name = settings.DATABASES["default"]["NAME"]
    if connection.vendor != "postgresql":
        raise RuntimeError("make bench demande PostgreSQL (DATABASE_URL=postgres://…)")
    params = connection.get_connection_params()
    params["dbname"] = "postgres"
    with psycopg.connect(**params, autocommit=True) as server:
        if server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return f"Base {name} : présente."
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"Base {name} : créée."


def _listed(requests: list[Request]) -> list[dict]:
    return [
        {"method": r.method, "path": r.path, "headers": r.headers, "body": r.body.decode("latin-1")}
        for r in requests
    ]


def _scenario(page: Page) -> dict:
    """The load generator's plan of one page: its service run, then its load."""
    writes = page.service_requests is not None
    service = {
        "requests": _listed(page.service_requests if writes else page.requests),
        "warmup": 0 if writes else SERVICE_WARMUP,
        "count": SERVICE_WRITES if writes else SERVICE_REQUESTS,
        "max_seconds": SERVICE_SECONDS,
        "expect": list(page.expect),
    }
    return {
        "name": page.name,
        "requests": _listed(page.requests),
        "count": page.count,
        "warmup": 0 if page.expect == (302,) else CLIENTS,
        "max_seconds": SECONDS_PER_PAGE,
        "expect": list(page.expect),
        "service": service,
    }


def machine() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) // 1024 // 1024} GiB"
    except OSError:
        pass
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "postgresql": server_version,
        "system": platform.platform(),
    }


def run(output: Path, log) -> dict:
    from parcours.demo.steps import DEMO_PASSWORD

    if connection.vendor != "postgresql":
        raise RuntimeError("bench_pages demande PostgreSQL (DATABASE_URL=postgres://…)")
    output.parent.mkdir(parents=True, exist_ok=True)
    log("Préparation (données choisies, comptes de mesure)…")
    chosen = _select()
    accounts, partner_membership = _prepare_accounts(ACCOUNTS, PARTNER)
    log("collectstatic…")
    port = _free_port()
    server_log = output.with_suffix(".gunicorn.log")
    redis_url = shared_cache(log)
    cache = "Redis partagé" if redis_url else "propre à chaque processus"
    log(
        f"gunicorn : {WORKERS} processus, 127.0.0.1:{port}, DEBUG off, cache {cache} "
        f"(journal : {server_log})"
    )
    server = start_server(port, server_log, redis_url)
    try:
        for account in accounts.values():
            sign_in(port, account, DEMO_PASSWORD)
        # The partner acts for the DT's bench partner, which receives the dataset's referrals.
        switch = {
            "membership": partner_membership,
            "csrfmiddlewaretoken": accounts[PARTNER].cookies["csrftoken"],
        }
        _call(port, accounts[PARTNER], "POST", "/organisation/", urlencode(switch).encode())
        pages = plan(port, accounts, chosen)
        load_plan = {
            "base": f"http://127.0.0.1:{port}",
            "clients": CLIENTS,
            "scenarios": [_scenario(page) for page in pages],
        }
        log(
            f"Par page : {SERVICE_REQUESTS} requêtes d'un seul client (temps de service), puis "
            f"{CLIENTS} clients, ≤ {REQUESTS_PER_PAGE} requêtes et ≤ {SECONDS_PER_PAGE} s"
        )
        finished = subprocess.run(
            [sys.executable, "-m", "parcours.www.bench.load"],
            input=json.dumps(load_plan),
            capture_output=True,
            text=True,
            cwd=settings.BASE_DIR,
            check=False,
        )
        sys.stderr.write(finished.stderr)
        if finished.returncode != 0:
            raise RuntimeError("Le générateur de charge a échoué.")
        results = json.loads(finished.stdout)
    finally:
        server.terminate()
        server.wait(timeout=30)
    for page, result in zip(pages, results, strict=True):
        result["target"] = page.target
    report = {
        "database": connection.settings_dict["NAME"],
        "persons": chosen.persons,
        "month": chosen.month,
        "year": chosen.year,
        "at": timezone.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "clients": CLIENTS,
        "workers": WORKERS,
        "cache": cache,
        "pages": results,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    return report


def _size(persons: int) -> str:
    return f"{persons:,}".replace(",", " ")


def _ms(value) -> str:
    return "" if value is None else f"{value:.0f}"


def queueing_bound(report: dict, row: dict) -> float | None:
    """What the page's p95 should be near under load, from its service time alone: with every
    client waiting its turn on the machine's CPUs, clients / CPUs × the one-client p50 (the
    floor costs ~1 ms, so each ms of a page's service time is ~8 ms at 16 clients on 2 CPUs)."""
    if row.get("service_p50_ms") is None:
        return None
    cpus = (report.get("machine") or {}).get("cpus") or 1
    return report["clients"] / cpus * row["service_p50_ms"]


def _statements(row: dict) -> str:
    """The statements per request: one number, or "least-most" when requests differ (a
    worker's first read of a cached page computes it; runs from before kept only the most)."""
    most, least = row.get("queries_max"), row.get("queries_min")
    if most is None:
        return ""
    return str(most) if least in (None, most) else f"{least}-{most}"


def table(reports: list[dict]) -> str:
    """One table: per page, p50, p95, throughput and statements at each size, the one-client
    p50 and CPU ms per request (runs from before these columns leave them empty), then the
    ratios and the queueing bound of the largest size."""
    reports = sorted(reports, key=lambda r: r["persons"])
    large = reports[-1]
    floor = large["pages"][0]["p95_ms"] or 1.0
    head = f"{'page':<44}"
    for report in reports:
        label = _size(report["persons"])
        head += (
            f" | {label + ' p50':>13} {'p95':>7} {'req/s':>6} {'SQL':>5}"
            f" {'1 client p50':>12} {'CPU':>6}"
        )
    head += " | " + ("p95 ×taille" if len(reports) > 1 else "") + f" {'×plancher':>9}"
    head += f" {'borne 16/' + str((large.get('machine') or {}).get('cpus') or '?'):>10}"
    head += f" {'cible':<14}"
    lines = [head, "-" * len(head)]
    for index, page in enumerate(large["pages"]):
        line = f"{page['name'][:44]:<44}"
        for report in reports:
            row = report["pages"][index]
            queries = _statements(row)
            alone = _ms(row.get("service_p50_ms"))
            alone = alone + " ms" if alone else ""
            cpu = _ms(row.get("service_cpu_ms"))
            cpu = cpu + " ms" if cpu else ""
            line += (
                f" | {row['p50_ms']:>10.0f} ms {row['p95_ms']:>4.0f} ms {row['throughput']:>6.1f}"
                f" {queries:>5} {alone:>12} {cpu:>6}"
            )
            if row["errors"]:
                line += f" ({row['errors']} erreurs)"
        if len(reports) > 1:
            small = reports[0]["pages"][index]["p95_ms"] or 1.0
            line += f" | {page['p95_ms'] / small:>10.2f}×"
        else:
            line += " |"
        bound = _ms(queueing_bound(large, page))
        line += f" {page['p95_ms'] / floor:>8.1f}× {bound + ' ms' if bound else '':>10}"
        line += f" {page.get('target', ''):<14}"
        lines.append(line)
    sizes = " et ".join(
        f"{_size(r['persons'])} personnes ({r['database']}, mois {r['month']}, année {r['year']})"
        for r in reports
    )
    lines.append("")
    cache = f", cache des chiffres {large['cache']}" if large.get("cache") else ""
    lines.append(
        f"{large['clients']} clients, gunicorn {large['workers']} processus{cache} ; {sizes}."
    )
    lines.append(
        "SQL : requêtes SQL par requête HTTP (la moins et la plus coûteuse si elles diffèrent : "
        "la première lecture d'une page en cache la calcule) ; "
        "1 client p50 : la page seule, une requête après l'autre ; CPU : temps processeur du "
        "processus gunicorn par requête (PostgreSQL non compris) ; borne : clients / CPU × "
        "1 client p50, l'attente à prévoir sous charge."
    )
    return "\n".join(lines)
