// Operational transformation over plain text: the browser's half of `note.edit`
// (the server's is breakouts/textops.py; tests/test_note_edits.py checks both agree).
//
// An operation is an array of components walked from the text's start: a positive number
// retains that many characters, a negative one deletes that many, a string inserts itself.
// Positions and lengths are UTF-16 code units (JavaScript's own string indices).
// transform(a, b) → [a2, b2] with apply(apply(t, b), a2) === apply(apply(t, a), b2); when
// both insert at one place, a's text comes first (a: this tab's unacknowledged edit).

function push(op, part) {
  if (part === 0 || part === "") return;
  const n = op.length;
  if (n) {
    const last = op[n - 1];
    if (typeof part === "string" && typeof last === "string") {
      op[n - 1] = last + part;
      return;
    }
    if (typeof part === "number" && typeof last === "number" && (last > 0) === (part > 0)) {
      op[n - 1] = last + part;
      return;
    }
    if (typeof part === "string" && typeof last === "number" && last < 0) {
      if (n > 1 && typeof op[n - 2] === "string") op[n - 2] += part;
      else op.splice(n - 1, 0, part);
      return;
    }
  }
  op.push(part);
}

export function normalize(parts) {
  const op = [];
  for (const part of parts) push(op, part);
  if (op.length && typeof op[op.length - 1] === "number" && op[op.length - 1] > 0) op.pop();
  return op;
}

export function replace(length, start, end, text) {
  if (!(start >= 0 && start <= end && end <= length)) throw new RangeError("range outside the text");
  return normalize([start, text, -(end - start), length - end]);
}

export function apply(text, op) {
  const out = [];
  let index = 0;
  for (const part of op) {
    if (typeof part === "string") out.push(part);
    else if (part > 0) {
      out.push(text.slice(index, index + part));
      index += part;
    } else index -= part;
    if (index > text.length) throw new RangeError("the edit reaches past the end");
  }
  out.push(text.slice(index));
  return out.join("");
}

export function transform(a, b) {
  const a2 = [];
  const b2 = [];
  let ia = 0;
  let ib = 0;
  let pa = a[ia++];
  let pb = b[ib++];
  while (pa !== undefined || pb !== undefined) {
    if (typeof pa === "string") {
      push(a2, pa);
      push(b2, pa.length);
      pa = a[ia++];
      continue;
    }
    if (typeof pb === "string") {
      push(a2, pb.length);
      push(b2, pb);
      pb = b[ib++];
      continue;
    }
    if (pa === undefined) pa = Math.abs(pb); // past its end an operation retains the rest
    if (pb === undefined) pb = Math.abs(pa);
    const na = Math.abs(pa);
    const nb = Math.abs(pb);
    const n = Math.min(na, nb);
    if (pa > 0 && pb > 0) {
      push(a2, n);
      push(b2, n);
    } else if (pa < 0 && pb > 0) push(a2, -n);
    else if (pa > 0 && pb < 0) push(b2, -n);
    pa = na > n ? Math.sign(pa) * (na - n) : a[ia++];
    pb = nb > n ? Math.sign(pb) * (nb - n) : b[ib++];
  }
  return [normalize(a2), normalize(b2)];
}

/** Replace ranges [[from, to, text], …] (ascending, on the text before) → an operation. */
export function fromChanges(length, ranges) {
  const parts = [];
  let index = 0;
  for (const [start, end, text] of ranges) {
    if (!(index <= start && start <= end && end <= length)) throw new RangeError("bad ranges");
    parts.push(start - index, text, -(end - start));
    index = end;
  }
  parts.push(length - index);
  return normalize(parts);
}

const isHigh = (code) => code >= 0xd800 && code <= 0xdbff;

/** The one replace range [from, to, text] that turns `before` into `after` (or null). */
export function diff(before, after) {
  if (before === after) return null;
  let start = 0;
  const shortest = Math.min(before.length, after.length);
  while (start < shortest && before.charCodeAt(start) === after.charCodeAt(start)) start += 1;
  if (start > 0 && isHigh(before.charCodeAt(start - 1))) start -= 1; // never split a pair
  let tail = 0;
  while (tail < shortest - start
    && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)) tail += 1;
  if (tail > 0 && isHigh(before.charCodeAt(before.length - tail - 1))) tail -= 1;
  return [start, before.length - tail, after.slice(start, after.length - tail)];
}

/** The operation turning `before` into `after` (empty when they are equal). */
export function diffOp(before, after) {
  const change = diff(before, after);
  return change ? replace(before.length, ...change) : [];
}

/** Where position `index` of the text before `op` is after it (a caret: stays before inserts
 * made exactly there by others). */
export function transformIndex(op, index) {
  let at = 0; // position in the old text
  let moved = index;
  for (const part of op) {
    if (at > index) break;
    if (typeof part === "string") {
      if (at < index) moved += part.length;
    } else if (part > 0) at += part;
    else {
      moved -= Math.min(-part, Math.max(0, index - at));
      at -= part;
    }
  }
  return moved;
}
