"""Roster CSV in and out: parse an uploaded file into a checked preview, write the links file.

Reading: UTF-8 with or without BOM, comma or semicolon, a header row naming the columns
(`name`, `email`, `department`, `location`, and one per attribute of the workshop, named by its
label or key; any order, any case). Other columns are reported and ignored. Every row gets a
list of problems (a value that is not one of an attribute's fixed choices is one); only rows
without problems are imported, each whole. File-level trouble raises RosterError.

Writing: cells that a spreadsheet would run as a formula are defused with a leading quote.
"""

import csv
import io
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from workshops.models import normalise_label, tidy_label
from workshops.models.attribute import column_key

MAX_BYTES = 1024 * 1024
COLUMNS = ("name", "email", "department", "location")
MAX_LENGTH = 100
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class RosterError(ValueError):
    """Raised for a file that cannot be read as a roster at all."""


def decode_upload(data):
    """Returns the text of an uploaded roster; raises RosterError for large or non-text files."""
    if len(data) > MAX_BYTES:
        raise RosterError(_("The file is larger than 1 MB. Split it or remove unused columns."))
    if b"\x00" in data:
        raise RosterError(_("This is not a CSV file. Save the roster as CSV (UTF-8) and retry."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterError(
            _("The file is not UTF-8 text. Save the roster as “CSV UTF-8” and retry.")
        ) from None


def _delimiter(header_line):
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _unclosed_quote_line(text, delimiter):
    """Returns the line where a quoted value opens and is never closed, or None.

    Python's lenient reader runs such a value to the end of the file, so every later line
    would be reported as one over-long name; the strict reader stops at the end instead.
    """
    source = io.StringIO(text)
    reader = csv.reader(source, delimiter=delimiter, strict=True)
    start = 1
    try:
        for _cells in reader:
            start = reader.line_num + 1
    except csv.Error as exc:
        # Other strict complaints (text after a closing quote) are accepted by the lenient
        # reader as before.
        if source.read() == "" and "end of data" in str(exc):
            return start
    return None


def _read_rows(text, optional_columns=()):
    """Returns (header cells, list of (line number, cells)); raises RosterError."""
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    delimiter = _delimiter(first)
    unclosed = _unclosed_quote_line(text, delimiter)
    if unclosed is not None:
        raise RosterError(
            _("Line %(line)s: a quote (\") opens a value that is never closed, so everything "
              "after it would be read as one value. Close the quote or remove it, then retry.")
            % {"line": unclosed}
        )
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        rows = [(reader.line_num, cells) for cells in reader if any(c.strip() for c in cells)]
    except csv.Error as exc:
        raise RosterError(_("The file is not valid CSV: %(error)s") % {"error": exc}) from None
    if not rows:
        raise RosterError(_("The file is empty."))
    header = [cell.strip().lstrip("\ufeff") for cell in rows[0][1]]
    if "name" not in [column_key(cell) for cell in header]:
        found = ", ".join(cell for cell in header if cell) or _("nothing")
        raise RosterError(
            _("The first line must name the columns, and a “name” column is required. "
              "Found: %(found)s. Optional: %(optional)s.")
            % {"found": found, "optional": ", ".join(optional_columns)}
        )
    return header, rows[1:]


def _columns(header, attributes):
    """Returns (index by column or attribute key, the header cells matching neither)."""
    by_name = {column: column for column in COLUMNS}
    for attribute in attributes:
        by_name.setdefault(column_key(attribute.key), attribute.key)
        by_name.setdefault(column_key(attribute.label), attribute.key)
    index, ignored = {}, []
    for i, cell in enumerate(header):
        column = by_name.get(column_key(cell))
        if column is None or column in index:
            if cell:
                ignored.append(cell)
        else:
            index[column] = i
    return index, ignored


def expected_columns(workshop):
    """Returns the column names a roster of this workshop may have, in order."""
    return [*COLUMNS, *(a.label for a in workshop.attributes.all())]


@dataclass
class Roster:
    """A parsed roster: one dict per data row (line, name, email, department, location,
    attributes, problems), and the header cells that matched no column (ignored)."""

    rows: list
    ignored_columns: list = dataclass_field(default_factory=list)


class _Labels:
    """Canonical spelling of departments or locations, shared by the workshop and the file."""

    def __init__(self, workshop, field):
        self.workshop = workshop
        self.field = field
        self.fixed = bool(
            workshop.department_choices if field == "department" else workshop.location_choices
        )
        self.seen = {}

    def canonical(self, value):
        key = normalise_label(value)
        if not key:
            return ""
        if key not in self.seen:
            self.seen[key] = self.workshop.canonical_label(self.field, value)
        return self.seen[key]


def parse_roster(data, workshop):
    """Returns a Roster: one dict per data row, and the columns it ignores.

    Raises RosterError when the file is too large, not UTF-8 text, not CSV, or has no header.
    """
    attributes = list(workshop.attributes.all())
    optional = [*COLUMNS[1:], *(a.label for a in attributes)]
    header, rows = _read_rows(decode_upload(data), optional)
    index, ignored = _columns(header, attributes)
    existing = {
        email.casefold()
        for email in workshop.participants.exclude(email="").values_list("email", flat=True)
    }
    labels = {field: _Labels(workshop, field) for field in ("department", "location")}
    seen_emails = set()
    parsed = []
    for line, cells in rows:
        raw = {
            column: tidy_label(cells[i]) if i < len(cells) else ""
            for column, i in index.items()
        }
        row = {"line": line, "problems": []}
        row["name"] = raw.get("name", "")
        row["email"] = raw.get("email", "")
        if not row["name"]:
            row["problems"].append(_("Name is missing."))
        elif len(row["name"]) > MAX_LENGTH:
            row["problems"].append(_("Name is longer than 100 characters."))
        _check_email(row, existing, seen_emails)
        for field in ("department", "location"):
            _check_label(row, field, raw.get(field, ""), labels[field])
        row["attributes"] = {}
        for attribute in attributes:
            _check_attribute(row, attribute, raw.get(attribute.key, ""))
        parsed.append(row)
    return Roster(parsed, ignored)


def _check_attribute(row, attribute, value):
    canonical = attribute.canonical(value)
    if canonical is None:
        row["problems"].append(
            _("“%(value)s” is not one of the choices for %(label)s (%(choices)s).")
            % {"value": value, "label": attribute.label,
               "choices": ", ".join(attribute.choice_list)}
        )
        canonical = value
    elif len(canonical) > MAX_LENGTH:
        row["problems"].append(
            _("%(field)s is longer than 100 characters.") % {"field": attribute.label}
        )
    if canonical:
        row["attributes"][attribute.key] = canonical


def _check_email(row, existing, seen):
    email = row["email"]
    if not email:
        return
    try:
        validate_email(email)
    except ValidationError:
        row["problems"].append(_("“%(email)s” is not an e-mail address.") % {"email": email})
        return
    key = email.casefold()
    if key in existing:
        row["problems"].append(_("Someone in this workshop already uses this e-mail."))
    elif key in seen:
        row["problems"].append(_("This e-mail appears earlier in the file."))
    seen.add(key)


def _check_label(row, field, value, labels):
    canonical = labels.canonical(value)
    if value and canonical is None:
        message = (
            _("“%(value)s” is not one of this workshop's departments.")
            if field == "department"
            else _("“%(value)s” is not one of this workshop's locations.")
        )
        row["problems"].append(message % {"value": value})
        canonical = value
    elif len(canonical) > MAX_LENGTH:
        row["problems"].append(_("%(field)s is longer than 100 characters.") % {"field": field})
    row[field] = canonical


def valid_rows(rows):
    """Returns the rows without problems, ready for import."""
    return [row for row in rows if not row["problems"]]


def csv_safe(value):
    """Returns the cell text with a leading quote when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_links_csv(participants, link_for, attributes=()):
    """Returns CSV text: one row per participant with the values of `attributes` (headed by
    their labels, so the file can be imported again) and their absolute personal link."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["name", "email", "department", "location", *(a.label for a in attributes),
         "personal_link"]
    )
    for participant in participants:
        writer.writerow(
            [
                csv_safe(participant.name),
                csv_safe(participant.email),
                csv_safe(participant.department),
                csv_safe(participant.location),
                *(csv_safe(a.value_of(participant)) for a in attributes),
                link_for(participant),
            ]
        )
    return out.getvalue()
