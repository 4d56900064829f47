"""Checks on uploaded files: extension, size and actual content (issue 6, "Web hardening").

A file is accepted only when its extension is one the form allows, its size is under the
limit, and its first bytes and structure are those of that format: a spreadsheet renamed from
an executable, a macro-enabled workbook, a zip bomb or a PDF carrying JavaScript is refused
with a French message. Forms use `UploadValidator(kinds=[...])` on a FileField, or call
`check_upload(file, kinds)` (it returns the detected kind).
"""

import io
import re
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from parcours.core.spreadsheet_reader import decode_text

# An office document larger than this once unzipped is refused (zip bomb).
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
_SNIFF_BYTES = 8192
# PDF names that run code or programs when the file is opened.
_PDF_ACTIVE_CONTENT = re.compile(rb"/(JavaScript|JS|Launch)\b")


@dataclass(frozen=True)
class UploadKind:
    code: str
    extensions: tuple[str, ...]
    label: str


KINDS = {
    "csv": UploadKind("csv", (".csv", ".txt"), "CSV"),
    "xlsx": UploadKind("xlsx", (".xlsx",), "Excel (.xlsx)"),
    "ods": UploadKind("ods", (".ods",), "OpenDocument (.ods)"),
    "pdf": UploadKind("pdf", (".pdf",), "PDF"),
}


def _read_all(uploaded) -> bytes:
    uploaded.seek(0)
    data = uploaded.read()
    uploaded.seek(0)
    return data


def _zip_members(data: bytes) -> zipfile.ZipFile | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        return None
    return archive


def _check_archive(archive: zipfile.ZipFile, compressed_size: int) -> None:
    unzipped = sum(info.file_size for info in archive.infolist())
    if unzipped > MAX_UNZIPPED_BYTES or unzipped > compressed_size * MAX_COMPRESSION_RATIO:
        raise ValidationError(
            _("Ce fichier est anormalement volumineux une fois décompressé : il est refusé."),
            code="zip_bomb",
        )
    for name in archive.namelist():
        if name.startswith("/") or ".." in name.split("/"):
            raise ValidationError(_("Ce fichier contient des chemins invalides."), code="zip_path")


def _is_xlsx(data: bytes) -> bool:
    archive = _zip_members(data)
    if archive is None:
        return False
    names = set(archive.namelist())
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        return False
    _check_archive(archive, len(data))
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise ValidationError(
            _("Ce classeur contient des macros : enregistrez-le sans macros (.xlsx) et réessayez."),
            code="macros",
        )
    return True


def _is_ods(data: bytes) -> bool:
    archive = _zip_members(data)
    if archive is None or "mimetype" not in archive.namelist():
        return False
    _check_archive(archive, len(data))
    mimetype = archive.read("mimetype").strip()
    if mimetype != b"application/vnd.oasis.opendocument.spreadsheet":
        return False
    if any(name.lower().startswith("basic/") for name in archive.namelist()):
        raise ValidationError(
            _("Ce classeur contient des macros : enregistrez-le sans macros et réessayez."),
            code="macros",
        )
    return True


def _is_csv(data: bytes) -> bool:
    head = data[:_SNIFF_BYTES]
    if head.startswith((b"PK\x03\x04", b"%PDF", b"MZ", b"\x7fELF")):
        return False
    # UTF-16 text (Excel's « Texte Unicode ») holds zeros; any other zero means a binary file.
    text = decode_text(head[: len(head) - len(head) % 2] if b"\x00" in head else head)
    return text is not None and "\x00" not in text


def _is_pdf(data: bytes) -> bool:
    if not data.startswith(b"%PDF-"):
        return False
    if _PDF_ACTIVE_CONTENT.search(data):
        raise ValidationError(
            _("Ce PDF contient du code exécutable : il est refusé."), code="pdf_script"
        )
    return True


_SNIFFERS = {"csv": _is_csv, "xlsx": _is_xlsx, "ods": _is_ods, "pdf": _is_pdf}


def max_upload_bytes() -> int:
    return settings.PARCOURS_UPLOAD_MAX_MB * 1024 * 1024


def check_upload(uploaded, kinds, max_bytes: int | None = None) -> str:
    """Return the kind of an acceptable file, or raise ValidationError with a French message."""
    max_bytes = max_bytes or max_upload_bytes()
    allowed = [KINDS[code] for code in kinds]
    name = (getattr(uploaded, "name", "") or "").lower()
    kind = next((k for k in allowed if name.endswith(k.extensions)), None)
    if kind is None:
        raise ValidationError(
            _("Format de fichier non accepté. Formats acceptés : %(formats)s."),
            code="extension",
            params={"formats": ", ".join(k.label for k in allowed)},
        )
    size = getattr(uploaded, "size", None)
    if size is None or size > max_bytes:
        raise ValidationError(
            _("Le fichier dépasse la taille maximale de %(size)s Mo."),
            code="size",
            params={"size": max_bytes // (1024 * 1024)},
        )
    if size == 0:
        raise ValidationError(_("Le fichier est vide."), code="empty")
    if not _SNIFFERS[kind.code](_read_all(uploaded)):
        raise ValidationError(
            _("Le contenu du fichier ne correspond pas à son extension (%(format)s)."),
            code="content",
            params={"format": kind.label},
        )
    return kind.code


@deconstructible
class UploadValidator:
    """Form or model field validator: `validators=[UploadValidator(["xlsx", "ods", "csv"])]`."""

    def __init__(self, kinds, max_bytes: int | None = None):
        self.kinds = tuple(kinds)
        self.max_bytes = max_bytes

    def __call__(self, uploaded):
        check_upload(uploaded, self.kinds, self.max_bytes)

    def __eq__(self, other):
        return (
            isinstance(other, UploadValidator)
            and self.kinds == other.kinds
            and self.max_bytes == other.max_bytes
        )
