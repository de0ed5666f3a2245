// Ids made in the browser: op ids (idempotency) and the tab id (who is writing).

export function newOpId() {
  if (globalThis.crypto && crypto.randomUUID) {
    try {
      return crypto.randomUUID();
    } catch (e) {
      // randomUUID exists only in secure contexts; fall through.
    }
  }
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// One id per browser tab, kept across reloads of that tab: the server tells two tabs (or
// devices) of one person apart by it, so one tab's note never silently overwrites another's.
export function tabId() {
  try {
    let id = window.sessionStorage.getItem("roundtable.tab");
    if (!id) {
      id = newOpId().replace(/-/g, "");
      window.sessionStorage.setItem("roundtable.tab", id);
    }
    return id;
  } catch (e) {
    return "";
  }
}
