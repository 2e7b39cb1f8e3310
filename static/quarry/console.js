/* Quarry console: small progressive enhancements. Every page works without this file. */
"use strict";

(function () {
  function formatDuration(seconds) {
    if (seconds < 10) return seconds.toFixed(1) + " sec";
    if (seconds < 60) return Math.round(seconds) + " sec";
    const total = Math.round(seconds);
    return Math.floor(total / 60) + " min " + (total % 60) + " sec";
  }

  function startElapsed(root) {
    root.querySelectorAll("[data-elapsed]").forEach(function (el) {
      const base = parseFloat(el.dataset.elapsed) || 0;
      const t0 = performance.now();
      const timer = setInterval(function () {
        if (!el.isConnected) { clearInterval(timer); return; }
        el.textContent = "Elapsed time: " + formatDuration(base + (performance.now() - t0) / 1000);
      }, 100);
    });
  }

  // Swap an element for the server's fresh rendering of it, then wire up the new one.
  function replaceWith(el, html) {
    const tpl = document.createElement("template");
    tpl.innerHTML = html.trim();
    const fresh = tpl.content.firstElementChild;
    if (!fresh) return null;
    el.replaceWith(fresh);
    enhance(fresh);
    return fresh;
  }

  function fetchInto(el, url) {
    return fetch(url, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.text();
      })
      .then(function (html) { return replaceWith(el, html); });
  }

  // Once polled work finishes, other parts of the page (the Explorer, job details) may be stale:
  // re-read the page and swap in its fresh copies of every element marked data-refresh.
  function refreshMarked() {
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        const doc = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-refresh][id]").forEach(function (el) {
          const fresh = doc.getElementById(el.id);
          if (fresh) el.replaceWith(document.importNode(fresh, true));
        });
      })
      .catch(function () { /* the stale parts stay until the next navigation */ });
  }

  function poll(el) {
    const url = el.dataset.poll;
    const interval = parseInt(el.dataset.pollInterval || "1000", 10);
    setTimeout(function () {
      if (!el.isConnected) return;
      fetchInto(el, url)
        .then(function (fresh) {
          if (fresh && !fresh.hasAttribute("data-poll")) refreshMarked();
        })
        .catch(function () { poll(el); });
    }, interval);
  }

  function enhance(root) {
    if (root.matches && root.matches("[data-poll]")) poll(root);
    root.querySelectorAll("[data-poll]").forEach(poll);
    startElapsed(root);
    root.querySelectorAll("a[data-partial]").forEach(function (a) {
      a.addEventListener("click", function (event) {
        const target = a.closest("#job-status");
        if (!target || event.ctrlKey || event.metaKey || event.shiftKey) return;
        event.preventDefault();
        fetchInto(target, a.dataset.partial).then(function (fresh) {
          const scroller = fresh && fresh.querySelector(".result-scroll");
          if (scroller) scroller.scrollTop = 0;
        }).catch(function () { window.location.href = a.href; });
      });
    });
  }

  function setupDialogs() {
    document.querySelectorAll("[data-open-dialog]").forEach(function (button) {
      button.addEventListener("click", function () {
        const dialog = document.getElementById(button.dataset.openDialog);
        if (!dialog) return;
        dialog.showModal();
        const input = dialog.querySelector("input[type=text]");
        if (input) input.focus();
      });
    });
    document.querySelectorAll("[data-close-dialog]").forEach(function (button) {
      button.addEventListener("click", function () { button.closest("dialog").close(); });
    });
    document.querySelectorAll("input[data-confirm-value]").forEach(function (input) {
      const submit = input.form.querySelector("button[type=submit]");
      function sync() { submit.disabled = input.value !== input.dataset.confirmValue; }
      input.addEventListener("input", sync);
      sync();
    });
  }

  function setupQueryEditor() {
    const form = document.querySelector("form[data-query-form]");
    if (!form) return;
    const editor = form.querySelector("textarea");
    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    if (editor && !document.querySelector("#job-status")) {
      editor.focus();
      editor.setSelectionRange(editor.value.length, editor.value.length);
    }
  }

  function setupLocationPicker() {
    const form = document.querySelector("form[data-location-picker]");
    if (!form) return;
    const select = form.querySelector("select[name=location]");
    function sync() {
      const checked = form.querySelector("input[name=location_type]:checked");
      const kind = checked ? checked.value : "multi-region";
      let firstVisible = null;
      select.querySelectorAll("optgroup").forEach(function (group) {
        const match = group.label.toLowerCase().replace(" ", "-") === kind;
        group.hidden = !match;
        group.disabled = !match;
        if (match && !firstVisible) firstVisible = group.querySelector("option");
      });
      const current = select.selectedOptions[0];
      if (!current || current.parentElement.disabled) firstVisible.selected = true;
    }
    form.querySelectorAll("input[name=location_type]").forEach(function (radio) {
      radio.addEventListener("change", sync);
    });
    sync();
  }

  function setupDelimiterPicker() {
    const form = document.querySelector("form[data-delimiter-picker]");
    if (!form) return;
    const select = form.querySelector("select[name=field_delimiter]");
    const custom = form.querySelector("[data-custom-delimiter]");
    function sync() { custom.hidden = select.value !== "custom"; }
    select.addEventListener("change", sync);
    sync();
    const autodetect = form.querySelector("input[name=autodetect]");
    const schema = form.querySelector("textarea[name=schema]");
    function syncSchema() { schema.disabled = autodetect.checked; }
    autodetect.addEventListener("change", syncSchema);
    syncSchema();
  }

  function setupBusyForms() {
    document.querySelectorAll("form[data-busy-label], form[data-query-form]").forEach(function (form) {
      form.addEventListener("submit", function () {
        const button = form.querySelector("button[type=submit]");
        if (!button) return;
        // Disable after the submit has been dispatched, so the button's value still goes along.
        setTimeout(function () {
          button.disabled = true;
          button.setAttribute("aria-busy", "true");
          if (form.dataset.busyLabel) button.textContent = form.dataset.busyLabel;
        }, 0);
      });
    });
  }

  function setupMessages() {
    document.querySelectorAll("[data-dismiss]").forEach(function (button) {
      button.addEventListener("click", function () { button.closest(".message").remove(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document.body);
    setupDialogs();
    setupQueryEditor();
    setupLocationPicker();
    setupDelimiterPicker();
    setupBusyForms();
    setupMessages();
  });
})();
