"""Convocation letter text in English, translating the French reference text."""

import datetime

from babel.dates import format_date

CODE = "en"
NAME = "English"
DIRECTION = "ltr"

TEXTS = {
    "title": "Notice to attend the OFII reception day",
    "greeting": "Dear Sir or Madam,",
    "body": (
        "You are asked to attend the reception day of the French Office for Immigration and "
        "Integration (OFII) on {date} at {time}, for half a day."
    ),
    "address": "Address: {address}",
    "programme": (
        "Programme: a group presentation, a French test (written and oral), an individual "
        "interview with an OFII auditor and the signature of your republican integration "
        "contract (CIR)."
    ),
    "bring_title": "Please bring:",
    "bring": [
        "this letter;",
        "your residence permit or receipt;",
        "your passport;",
        "your glasses if you wear any.",
    ],
    "absence": (
        "If you cannot come, tell the territorial directorate as soon as possible: {contact}."
    ),
    "closing": "You need to attend this day to sign your republican integration contract.",
}


def format_day(day: datetime.date) -> str:
    return format_date(day, "full", locale="en")


def format_time(moment: datetime.time) -> str:
    return moment.strftime("%H:%M")
