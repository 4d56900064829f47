"""Convocation letter text in Arabic (right to left), translating the French reference text."""

import datetime

from babel.dates import format_date

CODE = "ar"
NAME = "العربية"
DIRECTION = "rtl"

TEXTS = {
    "title": "استدعاء إلى يوم الاستقبال في المكتب الفرنسي للهجرة والاندماج",
    "greeting": "سيدتي، سيدي،",
    "body": (
        "أنتم مدعوون إلى يوم الاستقبال في المكتب الفرنسي للهجرة والاندماج (OFII) "
        "يوم {date} على الساعة {time}، لمدة نصف يوم."
    ),
    "address": "العنوان: {address}",
    "programme": (
        "البرنامج: عرض جماعي، واختبار في اللغة الفرنسية كتابيًا وشفويًا، ومقابلة فردية مع "
        "مستشار من المكتب، وتوقيع عقد الاندماج الجمهوري (CIR)."
    ),
    "bring_title": "يرجى إحضار:",
    "bring": [
        "هذا الاستدعاء؛",
        "بطاقة الإقامة أو الوصل؛",
        "جواز السفر؛",
        "نظاراتكم إذا كنتم تستعملونها.",
    ],
    "absence": "إذا تعذّر عليكم الحضور، يرجى إبلاغ المديرية الإقليمية في أقرب وقت: {contact}.",
    "closing": "حضور هذا اليوم ضروري لتوقيع عقد الاندماج الجمهوري.",
}


def format_day(day: datetime.date) -> str:
    return format_date(day, "full", locale="ar")


def format_time(moment: datetime.time) -> str:
    return moment.strftime("%H:%M")
