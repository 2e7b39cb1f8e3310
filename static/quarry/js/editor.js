/* The query editor: SQL highlighting under the textarea, Tab to indent, Ctrl+Enter to run, and a
   validator that says what the query would read or what is wrong with it. */

import { csrfToken, icon } from "./dom.js";
import { highlight } from "./sql-highlight.js";

export function setupCodeEditor(wrapper) {
  if (wrapper.dataset.ready) return;
  wrapper.dataset.ready = "1";
  const editor = wrapper.querySelector("textarea");
  const code = wrapper.querySelector(".code-highlight code");
  const pre = wrapper.querySelector(".code-highlight");
  function paint() {
    code.innerHTML = highlight(editor.value);
    pre.scrollTop = editor.scrollTop;
    pre.scrollLeft = editor.scrollLeft;
  }
  editor.addEventListener("input", paint);
  editor.addEventListener("scroll", function () {
    pre.scrollTop = editor.scrollTop;
    pre.scrollLeft = editor.scrollLeft;
  });
  editor.addEventListener("keydown", function (event) {
    // Tab indents (two spaces); Escape then Tab leaves the editor, as in BigQuery's editor.
    if (event.key === "Tab" && !event.shiftKey && !editor.dataset.escaped) {
      event.preventDefault();
      editor.setRangeText("  ", editor.selectionStart, editor.selectionEnd, "end");
      paint();
      editor.dispatchEvent(new Event("input", { bubbles: true }));
    }
    editor.dataset.escaped = event.key === "Escape" ? "1" : "";
  });
  wrapper.classList.add("is-highlighted");
  paint();
}

export function setupQueryEditor() {
  const form = document.querySelector("form[data-query-form]");
  if (!form) return;
  const editor = form.querySelector("textarea[name=sql]");
  const parameters = form.querySelector("textarea[name=parameters]");
  const line = form.querySelector("[data-validator]");
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit(form.querySelector("button[type=submit]:not([data-cancel-job])"));
    }
  });
  let timer = null;
  let ticket = 0;
  function validate() {
    const sql = editor.value;
    const mine = ++ticket;
    if (!sql.trim()) { line.hidden = true; line.textContent = ""; return; }
    const body = new URLSearchParams({
      sql: sql,
      parameters: parameters ? parameters.value : "",
      csrfmiddlewaretoken: csrfToken(),
    });
    fetch(form.dataset.validateUrl, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (mine !== ticket) return;
        line.hidden = !data.message;
        line.className = "validator " + (data.valid ? "validator-ok" : "validator-error");
        line.innerHTML = icon(data.valid ? "success" : "error");
        const text = document.createElement("span");
        text.textContent = data.message;
        line.appendChild(text);
      })
      .catch(function () {});
  }
  [editor, parameters].forEach(function (field) {
    if (!field) return;
    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(validate, 300);
    });
  });
  validate();
  if (!document.querySelector("#job-status")) {
    editor.focus();
    editor.setSelectionRange(editor.value.length, editor.value.length);
  }
}
