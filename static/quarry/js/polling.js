/* Polling and partial swaps: a running job's status, a model's training, the elapsed-time
   counters, and the pager links and cancel buttons inside a polled job status. */

import { fetchPartial, formatDuration, fragment } from "./dom.js";
import { setupCodeEditor } from "./editor.js";
import { applyFilter } from "./explorer.js";
import { selectResultTab } from "./result-tabs.js";

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

function replaceWith(el, html) {
  const fresh = fragment(html);
  if (!fresh) return null;
  const selected = el.querySelector("[role=tab][aria-selected=true]");
  el.replaceWith(fresh);
  if (selected && selected.dataset.resultTab) selectResultTab(fresh, selected.dataset.resultTab);
  enhance(fresh);
  return fresh;
}

function fetchInto(el, url) {
  return fetchPartial(url).then(function (res) {
    if (!res.ok) throw new Error("HTTP " + res.status);
    return replaceWith(el, res.text);
  });
}

// Once polled work finishes, other parts of the page may be stale: re-read the page and swap
// in its fresh copies of every element marked data-refresh.
function refreshMarked() {
  fetch(window.location.href, { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
    .then(function (html) {
      const doc = new DOMParser().parseFromString(html, "text/html");
      document.querySelectorAll("[data-refresh][id]").forEach(function (el) {
        const fresh = doc.getElementById(el.id);
        if (fresh) {
          const copy = document.importNode(fresh, true);
          el.replaceWith(copy);
          if (copy.id === "explorer") applyFilter();
        }
      });
    })
    .catch(function () { /* the stale parts stay until the next navigation */ });
}

function poll(el) {
  const interval = parseInt(el.dataset.pollInterval || "1000", 10);
  setTimeout(function () {
    if (!el.isConnected) return;
    fetchInto(el, el.dataset.poll)
      .then(function (fresh) {
        if (fresh && !fresh.hasAttribute("data-poll")) {
          document.querySelectorAll("[data-cancel-job]").forEach(function (b) { b.hidden = true; });
          refreshMarked();
        }
      })
      .catch(function () { poll(el); });
  }, interval);
}

/** Start what the markup under root asks for: polls, elapsed-time counters, code editors. */
export function enhance(root) {
  if (root.matches && root.matches("[data-poll]")) poll(root);
  root.querySelectorAll("[data-poll]").forEach(poll);
  startElapsed(root);
  root.querySelectorAll("[data-code-editor]").forEach(setupCodeEditor);
}

export function listenForJobStatus() {
  document.addEventListener("click", function (event) {
    const a = event.target.closest("a[data-partial]");
    if (!a || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const target = a.closest("#job-status");
    if (!target) return;
    event.preventDefault();
    fetchInto(target, a.dataset.partial).then(function (fresh) {
      const scroller = fresh && fresh.querySelector(".result-scroll");
      if (scroller) scroller.scrollTop = 0;
    }).catch(function () { window.location.href = a.href; });
  });

  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-cancel-form]");
    if (!form) return;
    const status = form.closest("#job-status");
    if (!status) return;
    event.preventDefault();
    const button = form.querySelector("button");
    if (button) button.disabled = true;
    fetchPartial(form.action, { method: "POST", body: new FormData(form) })
      .then(function (res) { if (res.ok) replaceWith(status, res.text); })
      .catch(function () { form.submit(); });
  });
}
