"""Uploaded files are checked by extension, size and actual content (real files, built here)."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from parcours.privacy.uploads import UploadValidator, check_upload
from tests.spreadsheet_files import ods_file, xlsx_file


def xlsx_bytes(macro: bool = False) -> bytes:
    plain = xlsx_file([["Nom", "Prénom"], ["HADDAD", "Rania"]])
    if not macro:
        return plain
    # A macro-enabled workbook renamed .xlsx: the same package plus a VBA project.
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"\x00" * 64)
    return out.getvalue()


def ods_bytes() -> bytes:
    return ods_file([["HADDAD"]])


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_a_real_xlsx_workbook_is_accepted():
    assert check_upload(upload("import.xlsx", xlsx_bytes()), ["xlsx", "ods", "csv"]) == "xlsx"


def test_a_real_ods_spreadsheet_is_accepted():
    assert check_upload(upload("import.ods", ods_bytes()), ["xlsx", "ods", "csv"]) == "ods"


def test_a_csv_in_utf8_or_windows_1252_is_accepted():
    assert check_upload(upload("a.csv", "Nom;Prénom\nHADDAD;Rania\n".encode()), ["csv"]) == "csv"
    assert check_upload(upload("b.csv", "Nom;Prénom\n".encode("cp1252")), ["csv"]) == "csv"


def test_a_macro_enabled_workbook_is_refused_with_a_french_message():
    with pytest.raises(ValidationError) as error:
        check_upload(upload("import.xlsx", xlsx_bytes(macro=True)), ["xlsx"])
    assert "macros" in error.value.messages[0]


def test_an_executable_renamed_xlsx_is_refused():
    with pytest.raises(ValidationError) as error:
        check_upload(upload("import.xlsx", b"MZ\x90\x00" + b"\x00" * 200), ["xlsx"])
    assert "ne correspond pas à son extension" in error.value.messages[0]


def test_a_workbook_renamed_csv_is_refused():
    with pytest.raises(ValidationError):
        check_upload(upload("import.csv", xlsx_bytes()), ["csv"])


def test_an_extension_the_form_does_not_take_is_refused():
    with pytest.raises(ValidationError) as error:
        check_upload(upload("import.docx", xlsx_bytes()), ["xlsx", "csv"])
    assert "Formats acceptés : Excel (.xlsx), CSV" in error.value.messages[0]


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.PARCOURS_UPLOAD_MAX_MB = 1
    content = b"Nom;Prenom\n" + b"A;B\n" * 300_000
    with pytest.raises(ValidationError) as error:
        check_upload(upload("big.csv", content), ["csv"])
    assert "1 Mo" in error.value.messages[0]


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError):
        check_upload(upload("empty.csv", b""), ["csv"])


def test_a_zip_bomb_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * 20_000_000)
    with pytest.raises(ValidationError) as error:
        check_upload(upload("bomb.xlsx", buffer.getvalue()), ["xlsx"])
    assert "décompressé" in error.value.messages[0]


def test_a_pdf_with_javascript_is_refused_and_a_plain_one_accepted():
    plain = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF"
    assert check_upload(upload("piece.pdf", plain), ["pdf"]) == "pdf"
    scripted = b"%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"
    with pytest.raises(ValidationError):
        check_upload(upload("piece.pdf", scripted), ["pdf"])


def test_the_validator_plugs_into_a_form_field():
    from django import forms

    class ImportForm(forms.Form):
        file = forms.FileField(validators=[UploadValidator(["xlsx"])])

    good = ImportForm(files={"file": upload("a.xlsx", xlsx_bytes())})
    bad = ImportForm(files={"file": upload("a.xlsx", b"not a workbook")})
    assert good.is_valid()
    assert not bad.is_valid() and "ne correspond pas" in bad.errors["file"][0]
