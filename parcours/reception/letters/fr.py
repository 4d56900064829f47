"""Convocation letter text in French: the reference text the other languages translate."""

import datetime

from babel.dates import format_date

CODE = "fr"
NAME = "Français"
DIRECTION = "ltr"

# The letterhead, printed once per letter in French.
HEADER = {
    "republic": "République française",
    "office": "Office français de l'immigration et de l'intégration",
    "agdref": "N° AGDREF",
    "printed_on": "Édité le",
}

TEXTS = {
    "title": "Convocation à la journée d'accueil de l'OFII",
    "greeting": "Madame, Monsieur,",
    "body": (
        "Vous êtes convoqué(e) à la journée d'accueil de l'Office français de l'immigration "
        "et de l'intégration (OFII) le {date} à {time}, pour une demi-journée."
    ),
    "address": "Adresse : {address}",
    "programme": (
        "Au programme : une présentation collective, un test de français à l'écrit et à "
        "l'oral, un entretien individuel avec un auditeur de l'OFII et la signature de votre "
        "contrat d'intégration républicaine (CIR)."
    ),
    "bring_title": "Apportez :",
    "bring": [
        "cette convocation ;",
        "votre titre de séjour ou votre récépissé ;",
        "votre passeport ;",
        "vos lunettes si vous en portez.",
    ],
    "absence": (
        "Si vous ne pouvez pas venir, prévenez la direction territoriale au plus vite : {contact}."
    ),
    "closing": (
        "Venir à cette journée est nécessaire pour signer votre contrat d'intégration républicaine."
    ),
}


def format_day(day: datetime.date) -> str:
    return format_date(day, "full", locale="fr")


def format_time(moment: datetime.time) -> str:
    return f"{moment.hour} h {moment.minute:02d}"
