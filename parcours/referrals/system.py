"""The named system user that performs automatic transitions (expiry, promotion).

DORA's habit (STYLE.md): the history stays truthful when an expiry shows "done by Parcours"
rather than by a person or by nobody.
"""

from parcours.accounts.models import User

SYSTEM_USER_EMAIL = "systeme@parcours.invalid"


def system_user() -> User:
    """The system account, created on first use; it can never sign in."""
    user = User.objects.filter(email=SYSTEM_USER_EMAIL).first()
    if user is not None:
        return user
    user, created = User.objects.get_or_create(
        email=SYSTEM_USER_EMAIL,
        defaults={
            "username": SYSTEM_USER_EMAIL,
            "first_name": "Parcours",
            "last_name": "(traitement automatique)",
            "is_active": False,
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
