/* Forms: create dataset, edit details, create table, the delete dialogs' typed confirmation,
   uploads with progress, and buttons that say they are busy. */

import { csrfToken } from "./dom.js";

const DATASET_ID = /^[A-Za-z0-9_]{1,1024}$/;
let idCheck = 0;

function checkDatasetId(input) {
  const message = document.getElementById("id_dataset_id_live");
  const submit = input.form.querySelector("[data-submit]");
  const value = input.value;
  function show(text) {
    message.textContent = text;
    message.hidden = !text;
    input.setAttribute("aria-invalid", text ? "true" : "false");
    input.closest(".field").classList.toggle("has-error", Boolean(text));
    if (submit) submit.disabled = Boolean(text) || !value;
  }
  if (!value) { show(""); if (submit) submit.disabled = true; return; }
  if (!DATASET_ID.test(value)) {
    show('Invalid dataset ID "' + value + '". Dataset IDs must be alphanumeric (plus ' +
         "underscores) and must be at most 1024 characters long.");
    return;
  }
  show("");
  const ticket = ++idCheck;
  setTimeout(function () {
    if (ticket !== idCheck) return;
    fetch(input.dataset.checkUrl + "?dataset_id=" + encodeURIComponent(value), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) { if (ticket === idCheck && input.value === value) show(data.valid ? "" : data.message); })
      .catch(function () {});
  }, 250);
}

function syncConfirm(input, finished) {
  const typed = input.value.trim();
  const expected = input.dataset.confirmValue;
  const matches = typed === expected;
  input.form.querySelector("button[type=submit]").disabled = !matches;
  const wrong = !matches && typed !== "" && (finished || !expected.startsWith(typed));
  const message = document.getElementById(input.getAttribute("aria-describedby"));
  input.setAttribute("aria-invalid", wrong ? "true" : "false");
  input.closest(".field").classList.toggle("has-error", wrong);
  if (message) message.textContent = wrong ? input.dataset.confirmMessage : "";
  return matches;
}

function syncLocation(form) {
  const select = form.querySelector("select[name=location]");
  if (!select) return;
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
  if ((!current || current.parentElement.disabled) && firstVisible) firstVisible.selected = true;
}

function syncExpiration(form) {
  const box = form.querySelector("input[name=enable_expiration]");
  const days = form.querySelector("[data-expiration-days]");
  if (box && days) days.hidden = !box.checked;
}

function renumberLabels(rows) {
  rows.querySelectorAll(".label-row").forEach(function (row, i) {
    const n = i + 1;
    const [key, value] = row.querySelectorAll("input");
    const labels = row.querySelectorAll("label");
    key.id = "label-key-" + n; labels[0].htmlFor = key.id; labels[0].textContent = "Key " + n;
    value.id = "label-value-" + n; labels[1].htmlFor = value.id; labels[1].textContent = "Value " + n;
    row.querySelector("[data-remove-label]").setAttribute("aria-label", "Remove label " + n);
  });
}

function syncTableForm(form) {
  const select = form.querySelector("select[name=field_delimiter]");
  const custom = form.querySelector("[data-custom-delimiter]");
  const format = form.querySelector("select[name=source_format]");
  const csv = !format || format.value === "CSV";
  form.querySelectorAll("[data-csv-only]").forEach(function (el) { el.hidden = !csv; });
  if (select && custom) custom.hidden = select.value !== "custom";
  const autodetect = form.querySelector("input[name=autodetect]");
  const schema = form.querySelector("textarea[name=schema]");
  if (autodetect && schema) schema.disabled = autodetect.checked;
}

/** Bring the forms under root in line with their current values. */
export function initForms(root) {
  root.querySelectorAll("form[data-location-picker]").forEach(syncLocation);
  root.querySelectorAll("form[data-delimiter-picker]").forEach(syncTableForm);
  root.querySelectorAll("form").forEach(syncExpiration);
  // A dialog the server sent back with the wrong text keeps saying so.
  root.querySelectorAll("input[data-confirm-value]").forEach(function (input) {
    syncConfirm(input, true);
  });
  root.querySelectorAll("input[data-check-url]").forEach(function (input) {
    const submit = input.form.querySelector("[data-submit]");
    if (submit && !input.value) submit.disabled = true;
    if (input.value) checkDatasetId(input);
  });
}

// An upload shows its progress and can be cancelled; the load job then shows its own.
function uploadWithProgress(event) {
  const form = event.target;
  if (!form.matches("form[data-upload-progress]")) return;
  const file = form.querySelector("input[type=file]");
  if (!file || !file.files.length || !window.FormData) return;
  event.preventDefault();
  const box = form.querySelector("[data-upload-status]");
  const bar = box.querySelector("progress");
  const pct = box.querySelector("[data-upload-pct]");
  const text = box.querySelector("[data-upload-text]");
  const submit = form.querySelector("button[type=submit]");
  const action = form.action || window.location.href;
  const xhr = new XMLHttpRequest();
  box.hidden = false;
  submit.disabled = true;
  submit.setAttribute("aria-busy", "true");
  let cancel = box.querySelector("[data-upload-cancel]");
  if (!cancel) {
    cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "button button-small";
    cancel.dataset.uploadCancel = "";
    cancel.textContent = "Cancel upload";
    box.appendChild(cancel);
  }
  cancel.hidden = false;
  cancel.onclick = function () { xhr.abort(); };
  text.textContent = "Uploading " + file.files[0].name + "…";
  xhr.upload.onprogress = function (e) {
    if (!e.lengthComputable) return;
    const p = Math.round((100 * e.loaded) / e.total);
    bar.value = p;
    pct.textContent = p + "%";
    if (p >= 100) text.textContent = "Starting the load job…";
  };
  xhr.onload = function () {
    if (xhr.status === 200 && xhr.responseURL && xhr.responseURL.split("?")[0] !== action.split("?")[0]) {
      window.location.href = xhr.responseURL;
      return;
    }
    // The form again, with its errors: show the page the server sent. Rewriting the document
    // drops every listener, and the page's inline module script runs start() once more.
    document.open();
    document.write(xhr.responseText);
    document.close();
  };
  function stop(message) {
    text.textContent = message;
    submit.disabled = false;
    submit.removeAttribute("aria-busy");
    cancel.hidden = true;
  }
  xhr.onerror = function () { stop("The upload failed. Check the server is running and try again."); };
  xhr.onabort = function () { stop("Upload cancelled."); bar.value = 0; pct.textContent = ""; };
  xhr.open("POST", action);
  xhr.setRequestHeader("X-CSRFToken", csrfToken());
  xhr.send(new FormData(form));
}

export function listenForForms() {
  document.addEventListener("input", function (event) {
    const input = event.target;
    if (input.matches && input.matches("input[data-confirm-value]")) syncConfirm(input, false);
  });

  // Leaving the field or pressing Enter with the wrong text says what is wrong, as does typing
  // something the expected text cannot start with; what was typed stays.
  document.addEventListener("change", function (event) {
    const input = event.target;
    if (input.matches && input.matches("input[data-confirm-value]")) syncConfirm(input, true);
  });

  document.addEventListener("keydown", function (event) {
    const input = event.target;
    if (event.key !== "Enter" || !(input.matches && input.matches("input[data-confirm-value]"))) return;
    if (!syncConfirm(input, true)) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    const add = event.target.closest("[data-add-label]");
    if (add) {
      const rows = add.closest("[data-labels]").querySelector("[data-label-rows]");
      const last = rows.querySelector(".label-row:last-child");
      const copy = last.cloneNode(true);
      copy.querySelectorAll("input").forEach(function (i) { i.value = ""; });
      rows.appendChild(copy);
      renumberLabels(rows);
      copy.querySelector("input").focus();
      return;
    }
    const remove = event.target.closest("[data-remove-label]");
    if (remove) {
      const rows = remove.closest("[data-label-rows]");
      const row = remove.closest(".label-row");
      if (rows.querySelectorAll(".label-row").length > 1) row.remove();
      else row.querySelectorAll("input").forEach(function (i) { i.value = ""; });
      renumberLabels(rows);
    }
  });

  document.addEventListener("change", function (event) {
    const form = event.target.form;
    if (!form) return;
    if (form.matches("[data-location-picker]")) syncLocation(form);
    if (form.matches("[data-delimiter-picker]")) syncTableForm(form);
    syncExpiration(form);
    if (event.target.matches("select[data-autosubmit]")) form.submit();
  });

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("input[data-check-url]")) checkDatasetId(event.target);
  });

  document.addEventListener("submit", uploadWithProgress);

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.matches("form[data-busy-label], form[data-query-form]") || event.defaultPrevented) return;
    const button = event.submitter || form.querySelector("button[type=submit]");
    if (!button || button.hasAttribute("data-cancel-job")) return;
    // Disable after the submit has been dispatched, so the button's value still goes along.
    setTimeout(function () {
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      if (form.dataset.busyLabel) button.textContent = form.dataset.busyLabel;
    }, 0);
  });
}
