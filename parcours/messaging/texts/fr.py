"""Messages and page texts in French: the reference the other languages translate."""

CODE = "fr"
NAME = "Français"
DIRECTION = "ltr"

# SMS: a few words, the values, and the link to the page; the composer drops the list of
# documents, then the address, when the text would take more than two segments.
SMS = {
    "convoked": "OFII : convocation le {date} à {time}, {address}.{bring} Répondre : {link}",
    "reconvoked": "OFII : nouvelle convocation le {date} à {time}, {address}.{bring} "
    "Répondre : {link}",
    "moved": "OFII : votre rendez-vous change : le {date} à {time}, {address}. Infos : {link}",
    "cancelled": "OFII : votre rendez-vous du {date} est annulé. Une autre date suivra.",
    "reminder": "OFII : rappel, rendez-vous le {date} à {time}, {address}.{bring} "
    "Répondre : {link}",
}
SMS_BRING = " Apportez titre de séjour et passeport."

EMAIL_SUBJECT = {
    "convoked": "Convocation à la journée d'accueil de l'OFII le {date}",
    "reconvoked": "Nouvelle convocation à la journée d'accueil de l'OFII le {date}",
    "moved": "Votre rendez-vous à l'OFII change : le {date}",
    "cancelled": "Votre rendez-vous à l'OFII du {date} est annulé",
    "reminder": "Rappel : journée d'accueil de l'OFII le {date}",
}
EMAIL_INTRO = {
    "convoked": "Vous êtes convoqué(e) à la journée d'accueil de l'OFII.",
    "reconvoked": "Vous êtes de nouveau convoqué(e) à la journée d'accueil de l'OFII.",
    "moved": "Votre journée d'accueil à l'OFII a changé de date, d'heure ou de lieu.",
    "cancelled": "Votre journée d'accueil à l'OFII est annulée. Une nouvelle date vous sera "
    "envoyée.",
    "reminder": "Rappel : votre journée d'accueil à l'OFII approche.",
}
EMAIL_LINES = {
    "when": "Date : {date} à {time}",
    "where": "Adresse : {address}",
    "bring": "Apportez : cette convocation, votre titre de séjour ou récépissé, votre "
    "passeport, vos lunettes si vous en portez.",
    "link": "Confirmez votre venue ou dites si vous ne pouvez pas venir : {link}",
    "stop": "Pour ne plus recevoir de messages, répondez sur cette page ou appelez la "
    "direction territoriale : {contact}.",
}

PAGE = {
    "title": "Votre convocation à l'OFII",
    "check_intro": "Pour voir votre convocation, indiquez votre date de naissance.",
    "birth_date": "Date de naissance",
    "day": "Jour",
    "month": "Mois",
    "year": "Année",
    "check": "Voir ma convocation",
    "wrong": "Cette date de naissance ne correspond pas. Essais restants : {left}.",
    "invalid": "Indiquez le jour, le mois et l'année en chiffres.",
    "locked": "Trop d'essais. Cette page est bloquée pendant {hours} heures. Appelez la "
    "direction territoriale : {contact}.",
    "too_many": "Trop de demandes depuis cet appareil. Réessayez dans quelques minutes.",
    "expired": "Cette convocation est passée : la page n'est plus disponible.",
    "when": "Date et heure",
    "where": "Adresse",
    "directions": "Voir l'itinéraire",
    "bring": "À apporter",
    "bring_items": [
        "cette convocation",
        "votre titre de séjour ou votre récépissé",
        "votre passeport",
        "vos lunettes si vous en portez",
    ],
    "answer": "Votre réponse",
    "confirm": "Je viendrai",
    "cannot": "Je ne peux pas venir",
    "reason": "Pourquoi ?",
    "reasons": {
        "illness": "Je suis malade",
        "work": "Je travaille ce jour-là",
        "training": "Je suis en formation ce jour-là",
        "moved_away": "J'ai déménagé",
        "other": "Une autre raison",
    },
    "send": "Envoyer ma réponse",
    "choose_reason": "Choisissez une raison.",
    "confirmed": "Merci : nous vous attendons.",
    "cannot_done": "Merci : la direction territoriale va vous envoyer une autre date.",
    "language": "Langue",
    "stop": "Ne plus recevoir de SMS ni de courriels",
    "stopped": "C'est noté : vous ne recevrez plus de SMS ni de courriels. Le courrier reste "
    "envoyé.",
}

LETTER_LINK = "Répondez à cette convocation en ligne :"
