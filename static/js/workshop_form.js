// Workshop settings: dates are typed and shown in the facilitator's own time zone.
// The server stores UTC; this fills the hidden time_zone field with the browser's zone and
// rewrites a stored date (rendered in UTC, with data-utc) into local time.

const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

function pad(number) {
  return String(number).padStart(2, "0");
}

function toLocalInputValue(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

for (const field of document.querySelectorAll("input[name='time_zone']")) {
  field.value = zone || "";
}

for (const input of document.querySelectorAll("input[data-utc]")) {
  const date = new Date(input.dataset.utc);
  if (!Number.isNaN(date.getTime())) {
    input.value = toLocalInputValue(date);
  }
}

const note = document.querySelector("[data-time-zone-note]");
const noteText = document.getElementById("time-zone-note");
if (note && noteText && zone) {
  note.textContent = `${noteText.content.textContent.trim()} ${zone}`;
}

// "Number of rooms" and "Target room size" are alternatives: typing one clears the other.
const rooms = document.querySelector("input[name='room_count']");
const size = document.querySelector("input[name='target_room_size']");
if (rooms && size) {
  for (const [typed, other] of [[rooms, size], [size, rooms]]) {
    typed.addEventListener("input", () => {
      if (typed.value !== "") other.value = "";
    });
  }
}
