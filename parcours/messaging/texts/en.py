"""Messages and page texts in English, translating the French reference."""

CODE = "en"
NAME = "English"
DIRECTION = "ltr"

SMS = {
    "convoked": "OFII: appointment on {date} at {time}, {address}.{bring} Reply: {link}",
    "reconvoked": "OFII: new appointment on {date} at {time}, {address}.{bring} Reply: {link}",
    "moved": "OFII: your appointment changed: {date} at {time}, {address}. Info: {link}",
    "cancelled": "OFII: your appointment of {date} is cancelled. A new date will follow.",
    "reminder": "OFII: reminder, appointment on {date} at {time}, {address}.{bring} Reply: {link}",
}
SMS_BRING = " Bring your residence permit and passport."

EMAIL_SUBJECT = {
    "convoked": "Notice to attend the OFII reception day on {date}",
    "reconvoked": "New notice to attend the OFII reception day on {date}",
    "moved": "Your OFII appointment has changed: {date}",
    "cancelled": "Your OFII appointment of {date} is cancelled",
    "reminder": "Reminder: OFII reception day on {date}",
}
EMAIL_INTRO = {
    "convoked": "You are asked to attend the OFII reception day.",
    "reconvoked": "You are asked again to attend the OFII reception day.",
    "moved": "Your OFII reception day has a new date, time or place.",
    "cancelled": "Your OFII reception day is cancelled. A new date will be sent to you.",
    "reminder": "Reminder: your OFII reception day is coming soon.",
}
EMAIL_LINES = {
    "when": "Date: {date} at {time}",
    "where": "Address: {address}",
    "bring": "Please bring: this notice, your residence permit or receipt, your passport, "
    "your glasses if you wear any.",
    "link": "Confirm that you will come, or tell us that you cannot: {link}",
    "stop": "To stop receiving messages, say so on this page or call the territorial "
    "directorate: {contact}.",
}

PAGE = {
    "title": "Your OFII appointment",
    "check_intro": "To see your appointment, enter your date of birth.",
    "birth_date": "Date of birth",
    "day": "Day",
    "month": "Month",
    "year": "Year",
    "check": "See my appointment",
    "wrong": "This date of birth does not match. Attempts left: {left}.",
    "invalid": "Enter the day, month and year in figures.",
    "locked": "Too many attempts. This page is locked for {hours} hours. Call the territorial "
    "directorate: {contact}.",
    "too_many": "Too many requests from this device. Try again in a few minutes.",
    "expired": "This appointment is over: the page is no longer available.",
    "when": "Date and time",
    "where": "Address",
    "directions": "See the directions",
    "bring": "What to bring",
    "bring_items": [
        "this notice",
        "your residence permit or receipt",
        "your passport",
        "your glasses if you wear any",
    ],
    "answer": "Your answer",
    "confirm": "I will come",
    "cannot": "I cannot come",
    "reason": "Why?",
    "reasons": {
        "illness": "I am ill",
        "work": "I am working that day",
        "training": "I am in training that day",
        "moved_away": "I have moved away",
        "other": "Another reason",
    },
    "send": "Send my answer",
    "choose_reason": "Choose a reason.",
    "confirmed": "Thank you: we look forward to seeing you.",
    "cannot_done": "Thank you: the territorial directorate will send you another date.",
    "language": "Language",
    "stop": "Stop receiving SMS and e-mails",
    "stopped": "Noted: you will receive no more SMS or e-mails. Letters are still sent.",
}

LETTER_LINK = "Answer this notice online:"
