"""Operational transformation over plain text: the note edits of `note.edit` (no Django).

An operation is a list of components over a text, walked from its start:
a positive int retains that many characters, a negative int deletes that many, a str inserts
itself. Lengths count UTF-16 code units, the unit of browsers' strings and of the protocol's
positions (`from`, `to`), so an emoji counts two (docs/protocol.md, "Note edits"). The same
algorithm runs in the browser (static/js/textops.js); the tests check both agree.

`transform(a, b)` takes two operations made on the same text and returns `(a2, b2)` with
apply(apply(t, b), a2) == apply(apply(t, a), b2). When both insert at the same place, `a`'s
text comes first: the server always passes the incoming edit as `a` and the stored one as `b`,
and a client passes its unacknowledged edit as `a` and the server's as `b`, so both agree.
"""


class EditError(ValueError):
    """An operation that does not fit the text it is applied to (a client's bad positions)."""


def u16len(text):
    """Returns the length of `text` in UTF-16 code units."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def _push(op, part):
    if part == 0 or part == "":
        return
    if op:
        last = op[-1]
        if isinstance(part, str) and isinstance(last, str):
            op[-1] = last + part
            return
        if isinstance(part, int) and isinstance(last, int) and (last > 0) == (part > 0):
            op[-1] = last + part
            return
        if isinstance(part, str) and isinstance(last, int) and last < 0:
            # An insert next to a delete goes first: one canonical form for equal operations.
            if len(op) > 1 and isinstance(op[-2], str):
                op[-2] = op[-2] + part
            else:
                op.insert(len(op) - 1, part)
            return
    op.append(part)


def normalize(parts):
    op = []
    for part in parts:
        _push(op, part)
    if op and isinstance(op[-1], int) and op[-1] > 0:
        op.pop()  # a trailing retain says nothing; lengths are checked against the text
    return op


def replace(length, start, end, text):
    """Returns the operation that replaces [start, end) of a text of `length` with `text`."""
    if not (0 <= start <= end <= length):
        raise EditError(f"range {start}..{end} is outside a text of {length}")
    return normalize([start, text, -(end - start), length - end])


def base_length(op, length_after):
    """Returns the length of the text `op` applies to, given the length it leaves."""
    return length_after - sum(u16len(p) if isinstance(p, str) else 0 for p in op) - sum(
        p for p in op if isinstance(p, int) and p < 0
    )


def apply(text, op):
    """Returns `text` with `op` applied (positions in UTF-16 code units)."""
    units = text.encode("utf-16-le")
    out = []
    index = 0
    for part in op:
        if isinstance(part, str):
            out.append(part.encode("utf-16-le"))
        elif part > 0:
            out.append(units[index : index + 2 * part])
            index += 2 * part
        else:
            index -= 2 * part
        if index > len(units):
            raise EditError("the edit reaches past the end of the note")
    out.append(units[index:])
    try:
        return b"".join(out).decode("utf-16-le")
    except UnicodeDecodeError:
        raise EditError("the edit splits a character in two") from None


def transform(a, b):
    """Returns (a2, b2): `a` made to apply after `b`, and `b` after `a` (see the module)."""
    a2, b2 = [], []
    ia, ib = iter(a), iter(b)
    pa, pb = next(ia, None), next(ib, None)
    while pa is not None or pb is not None:
        if isinstance(pa, str):
            _push(a2, pa)
            _push(b2, u16len(pa))
            pa = next(ia, None)
            continue
        if isinstance(pb, str):
            _push(a2, u16len(pb))
            _push(b2, pb)
            pb = next(ib, None)
            continue
        # Past its last component an operation retains the rest of the text.
        if pa is None:
            pa = abs(pb) if pb > 0 else -pb
        if pb is None:
            pb = abs(pa)
        na, nb = abs(pa), abs(pb)
        n = min(na, nb)
        if pa > 0 and pb > 0:
            _push(a2, n)
            _push(b2, n)
        elif pa < 0 and pb > 0:
            _push(a2, -n)
        elif pa > 0 and pb < 0:
            _push(b2, -n)
        # both delete the same characters: nothing left to do for either
        pa = (pa // na) * (na - n) if na > n else None
        pb = (pb // nb) * (nb - n) if nb > n else None
        if pa is None:
            pa = next(ia, None)
        if pb is None:
            pb = next(ib, None)
    return normalize(a2), normalize(b2)


def changes(op):
    """Returns `op` as replace ranges [[from, to, text], …] on the text before it, ascending."""
    out = []
    index = 0
    for part in op:
        if isinstance(part, str):
            if out and out[-1][1] == index:
                out[-1][2] += part
            else:
                out.append([index, index, part])
        elif part > 0:
            index += part
        else:
            if out and out[-1][1] == index:
                out[-1][1] = index - part
            else:
                out.append([index, index - part, ""])
            index -= part
    return out


def from_changes(length, ranges):
    """Returns the operation of ascending, non-overlapping replace ranges on a text."""
    parts = []
    index = 0
    for start, end, text in ranges:
        if not (index <= start <= end <= length):
            raise EditError("replace ranges must ascend without overlapping")
        parts += [start - index, text, -(end - start)]
        index = end
    parts.append(length - index)
    return normalize(parts)
