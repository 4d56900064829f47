"""Importing a convocation list as an agent does it: the file, its preview, the confirmation."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.helpers import page_text

CONFIRM = "Confirmer et convoquer"


def upload_list(client, session, name: str, content: bytes, **extra):
    """POST the file on the convoke page; the response followed to the preview (or the form)."""
    return client.post(
        f"/pfa/sessions/{session.pk}/convoquer/",
        {"source": "file", "agdref_file": SimpleUploadedFile(name, content), **extra},
        follow=True,
    )


def confirm_url(response) -> str | None:
    """The confirmation form's address on a preview page, if the page offers one."""
    if CONFIRM not in page_text(response):
        return None
    path = response.redirect_chain[-1][0] if response.redirect_chain else ""
    return path + "confirmer/" if path.startswith("/pfa/imports/") else None


def import_list(client, session, name: str, content: bytes, **extra):
    """Upload, then confirm when the preview offers it; the last page seen."""
    response = upload_list(client, session, name, content, **extra)
    url = confirm_url(response)
    if url is None:
        return response
    return client.post(url, follow=True)
