// A Jitsi Meet call inside the page (room, plenary, control room), from
// templates/calls/_jitsi.html. The server's own IFrame API (external_api.js) is loaded from
// the configured Jitsi origin, which the page's Content-Security-Policy allows on these pages
// only. Whatever happens to the call, the rest of the page keeps working: a failure shows a
// message and the "new tab" link; it never throws into the page's other scripts.

const LOAD_TIMEOUT_MS = 15000;
let loading = null;

function loadApi(src) {
  if (window.JitsiMeetExternalAPI) return Promise.resolve(window.JitsiMeetExternalAPI);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      const timer = setTimeout(() => reject(new Error("timeout")), LOAD_TIMEOUT_MS);
      script.src = src;
      script.async = true;
      script.addEventListener("load", () => {
        clearTimeout(timer);
        if (window.JitsiMeetExternalAPI) resolve(window.JitsiMeetExternalAPI);
        else reject(new Error("no JitsiMeetExternalAPI"));
      });
      script.addEventListener("error", () => {
        clearTimeout(timer);
        reject(new Error("not loaded"));
      });
      document.head.append(script);
    });
    // A later click may try again (the network may be back).
    loading.catch(() => { loading = null; });
  }
  return loading;
}

class Call {
  constructor(box) {
    this.box = box;
    this.api = null;
    this.frame = box.querySelector("[data-call-frame]");
    this.status = box.querySelector("[data-call-status]");
    this.error = box.querySelector("[data-call-error]");
    this.title = box.querySelector("[data-call-title]");
    this.startButton = box.querySelector("[data-call-start]");
    this.stopButton = box.querySelector("[data-call-stop]");
    this.labels = {
      connecting: box.dataset.callConnecting || "Connecting the call…",
      joined: box.dataset.callJoined || "The call is open.",
      left: box.dataset.callLeft || "You are not in this call.",
    };
    this.startButton?.addEventListener("click", () => this.start());
    this.stopButton?.addEventListener("click", () => this.stop());
  }

  setStatus(text) {
    if (this.status) this.status.textContent = text;
  }

  // Switches to another call (the control room's "Join Room 2's call").
  switchTo(room, label) {
    this.box.dataset.callRoom = room;
    if (this.title && label) this.title.textContent = label;
    this.start();
    this.box.scrollIntoView({ block: "nearest" });
  }

  async start() {
    this.stop();
    this.error.hidden = true;
    this.setStatus(this.labels.connecting);
    const data = this.box.dataset;
    let Api;
    try {
      Api = await loadApi(data.callScript);
    } catch {
      this.fail();
      return;
    }
    try {
      this.frame.replaceChildren();
      this.api = new Api(data.callDomain, {
        roomName: data.callRoom,
        parentNode: this.frame,
        width: "100%",
        height: "100%",
        noSSL: data.callSecure !== "1",
        userInfo: { displayName: data.callName },
        // Nothing from third parties inside the call either (avatars, analytics).
        configOverwrite: { disableThirdPartyRequests: true },
      });
    } catch {
      this.fail();
      return;
    }
    const iframe = this.frame.querySelector("iframe");
    if (iframe && !iframe.title) iframe.title = this.title?.textContent || "Call";
    this.api.addListener?.("readyToClose", () => this.stop());
    this.box.dataset.callState = "on";
    this.setStatus(this.labels.joined);
    this.startButton.hidden = true;
    this.stopButton.hidden = false;
  }

  stop() {
    if (this.api) {
      try { this.api.dispose(); } catch { /* the call is gone either way */ }
      this.api = null;
      this.setStatus(this.labels.left);
    }
    this.frame.replaceChildren();
    delete this.box.dataset.callState;
    this.startButton.hidden = false;
    this.stopButton.hidden = true;
  }

  fail() {
    this.api = null;
    this.error.hidden = false;
    this.setStatus(this.labels.left);
    this.startButton.hidden = false;
    this.stopButton.hidden = true;
  }
}

const box = document.querySelector("[data-call]");
if (box) {
  const call = new Call(box);
  for (const button of document.querySelectorAll("[data-call-switch]")) {
    button.addEventListener("click", () => call.switchTo(button.dataset.callSwitch,
                                                         button.dataset.callLabel));
  }
  if ("callAutostart" in box.dataset) call.start();
}
