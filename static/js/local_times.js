// Shows <time datetime="…" data-local-time="time|datetime"> elements in the viewer's zone.

const formats = {
  time: { hour: "2-digit", minute: "2-digit" },
  datetime: { dateStyle: "medium", timeStyle: "short" },
};

export function localiseTime(element) {
  const date = new Date(element.getAttribute("datetime"));
  if (Number.isNaN(date.getTime())) return;
  const format = formats[element.dataset.localTime] || formats.datetime;
  element.textContent = new Intl.DateTimeFormat(undefined, format).format(date);
  element.title = date.toLocaleString();
}

export function localiseTimes(root = document) {
  for (const element of root.querySelectorAll("time[data-local-time]")) {
    localiseTime(element);
  }
}

localiseTimes();
