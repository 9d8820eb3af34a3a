// Forms that guide and keep what was typed. No inline script: loaded from base.html.
(() => {
  "use strict";

  // GOV.UK error summary: focus moves to it on load so screen readers announce it; its
  // links move focus to the field they name.
  const focusErrorSummary = () => {
    const summary = document.querySelector("[data-error-summary]");
    if (!summary) return;
    summary.focus();
    summary.addEventListener("click", (event) => {
      const link = event.target.closest("a[href^='#']");
      if (!link) return;
      const field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!field) return;
      event.preventDefault();
      const label = document.querySelector(`label[for='${CSS.escape(field.id)}']`);
      (field.closest("fieldset") || label || field).scrollIntoView();
      field.focus({ preventScroll: true });
    });
  };

  // Drafts: long texts typed into a form are kept in this tab (sessionStorage) until the
  // page shows them saved, so a session that ends before "Save" loses nothing. After
  // signing in again the person comes back to the page and the text is put back.
  const PREFIX = "ws-draft:";
  const draftFields = () =>
    Array.from(document.querySelectorAll("form[method='post' i] textarea[name], [data-keep-draft]"))
      .filter((field) => field.name && !field.closest("[data-no-draft]"));
  const keyFor = (field) => {
    const form = field.form;
    const action = form ? new URL(form.action, location.href).pathname : location.pathname;
    return `${PREFIX}${location.pathname}|${action}|${field.name}`;
  };
  const store = (() => {
    try {
      const s = window.sessionStorage;
      s.setItem(`${PREFIX}probe`, "1");
      s.removeItem(`${PREFIX}probe`);
      return s;
    } catch (error) {
      return null;
    }
  })();

  const restoreDrafts = () => {
    if (!store) return;
    const restoredForms = new Set();
    for (const field of draftFields()) {
      const key = keyFor(field);
      const serverValue = field.value;
      const raw = store.getItem(key);
      if (raw) {
        let draft = null;
        try {
          draft = JSON.parse(raw);
        } catch (error) {
          draft = null;
        }
        if (draft && draft.value !== field.value && draft.original === field.value) {
          // The page still shows what it showed before the person typed: not saved.
          field.value = draft.value;
          field.dispatchEvent(new Event("input", { bubbles: true }));
          if (field.form) restoredForms.add(field.form);
        } else {
          store.removeItem(key);
        }
      }
      const remember = () => {
        const existing = store.getItem(key);
        const base = existing ? JSON.parse(existing).original : serverValue;
        store.setItem(key, JSON.stringify({ value: field.value, original: base }));
      };
      field.addEventListener("input", remember);
    }
    for (const form of restoredForms) {
      const notice = document.createElement("div");
      notice.className = "alert alert-info";
      notice.setAttribute("role", "status");
      notice.dataset.draftRestored = "";
      notice.textContent =
        "We have put back text you typed here that had not been saved. Check it, then save.";
      form.prepend(notice);
    }
  };

  // Signing out forgets every draft kept in this tab.
  const forgetOnSignOut = () => {
    document.querySelectorAll("form[data-sign-out]").forEach((form) => {
      form.addEventListener("submit", () => {
        if (!store) return;
        Object.keys(store)
          .filter((key) => key.startsWith(PREFIX))
          .forEach((key) => store.removeItem(key));
      });
    });
  };

  // The server's messages (next to each field, summarised at the top) replace the
  // browser's own validation bubbles, which vanish and are not read out consistently.
  const serverValidation = () => {
    document.querySelectorAll("form[method='post' i]").forEach((form) => {
      form.noValidate = true;
    });
  };

  const start = () => {
    serverValidation();
    focusErrorSummary();
    restoreDrafts();
    forgetOnSignOut();
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
