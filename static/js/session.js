// The idle-session warning (GOV.UK timeout warning): shown a few minutes before the
// 30-minute idle timeout ends the session, with "Stay signed in". Any request the page
// makes (htmx autosave included) restarts the count, as it does on the server.
(() => {
  "use strict";
  const dialog = document.getElementById("session-timeout");
  if (!dialog || typeof dialog.showModal !== "function") return;
  const total = Number(dialog.dataset.sessionSeconds) * 1000;
  const warning = Number(dialog.dataset.warningSeconds) * 1000;
  const keepaliveUrl = dialog.dataset.keepaliveUrl;
  const expiring = dialog.querySelector("[data-session-expiring]");
  const ended = dialog.querySelector("[data-session-ended]");
  let warnTimer = null;
  let endTimer = null;

  const open = () => {
    if (!dialog.open) dialog.showModal();
  };
  const showEnded = () => {
    expiring.hidden = true;
    ended.hidden = false;
    dialog.setAttribute("aria-labelledby", "session-ended-title");
    open();
    const link = ended.querySelector("a");
    if (link) link.focus();
  };
  const showWarning = () => {
    open();
    const button = expiring.querySelector("[data-session-continue]");
    if (button) button.focus();
  };
  const restart = () => {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(showWarning, Math.max(total - warning, 0));
    endTimer = setTimeout(showEnded, total);
  };

  const token = () => {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  };
  dialog.querySelector("[data-session-continue]").addEventListener("click", async () => {
    try {
      const response = await fetch(keepaliveUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": token() },
        redirect: "manual",
      });
      if (response.status === 204) {
        dialog.close();
        restart();
        return;
      }
    } catch (error) {
      // Offline: say the session may have ended rather than pretend it was extended.
    }
    showEnded();
  });
  // Escape closes the warning without extending anything: keep the timers as they are.
  document.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.successful) restart();
  });
  restart();
})();
