/* Quarry console: progressive enhancements. Every page works without this file; with it, the
   console gets menus, side panels, dialogs, tabs that survive a reload, live validation, polling
   and a highlighted SQL editor. No framework, no build step. */
"use strict";

(function () {
  const TABS_KEY = "quarry.tabs.v1";
  const SQL_KEY = "quarry.sql.";
  const FILTER_KEY = "quarry.explorer-filter";

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function icon(name) {
    const tpl = document.getElementById("tab-icons");
    const holder = tpl && tpl.content.querySelector('[data-icon="' + name + '"]');
    return holder ? holder.innerHTML : "";
  }

  function formatDuration(seconds) {
    if (seconds < 10) return seconds.toFixed(1) + " sec";
    if (seconds < 60) return Math.round(seconds) + " sec";
    const total = Math.round(seconds);
    return Math.floor(total / 60) + " min " + (total % 60) + " sec";
  }

  function fetchPartial(url, options) {
    const opts = Object.assign({ credentials: "same-origin" }, options || {});
    opts.headers = Object.assign({ "X-Requested-With": "fetch" }, opts.headers || {});
    return fetch(url, opts).then(function (r) {
      return r.text().then(function (text) { return { ok: r.ok, status: r.status, text: text }; });
    });
  }

  function fragment(html) {
    const tpl = document.createElement("template");
    tpl.innerHTML = html.trim();
    return tpl.content.firstElementChild;
  }

  // ---- Polling and partial swaps --------------------------------------------------------------

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

  function enhance(root) {
    if (root.matches && root.matches("[data-poll]")) poll(root);
    root.querySelectorAll("[data-poll]").forEach(poll);
    startElapsed(root);
    root.querySelectorAll("[data-code-editor]").forEach(setupCodeEditor);
  }

  // ---- Result tabs (Job information | Results | JSON | Execution details) ---------------------

  function selectResultTab(container, name) {
    const tabs = container.querySelectorAll("[data-result-tab]");
    tabs.forEach(function (tab) {
      const on = tab.dataset.resultTab === name;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      const panel = document.getElementById(tab.getAttribute("aria-controls"));
      if (panel) panel.hidden = !on;
    });
  }

  document.addEventListener("click", function (event) {
    const tab = event.target.closest("[data-result-tab]");
    if (!tab) return;
    selectResultTab(tab.closest(".job-status") || document, tab.dataset.resultTab);
  });

  document.addEventListener("keydown", function (event) {
    const tab = event.target.closest && event.target.closest("[role=tab][data-result-tab]");
    if (!tab || !["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) return;
    const tabs = Array.from(tab.parentElement.querySelectorAll("[role=tab]"));
    let i = tabs.indexOf(tab);
    if (event.key === "ArrowRight") i = (i + 1) % tabs.length;
    if (event.key === "ArrowLeft") i = (i - 1 + tabs.length) % tabs.length;
    if (event.key === "Home") i = 0;
    if (event.key === "End") i = tabs.length - 1;
    event.preventDefault();
    selectResultTab(tab.closest(".job-status") || document, tabs[i].dataset.resultTab);
    tabs[i].focus();
  });

  // ---- Pager links and cancel buttons inside the polled job status ----------------------------

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

  // ---- Menus (⋮ View actions, project picker) ----------------------------------------------------

  let openMenu = null;

  function closeMenu(focusButton) {
    if (!openMenu) return;
    const { menu, button } = openMenu;
    menu.hidden = true;
    button.setAttribute("aria-expanded", "false");
    openMenu = null;
    if (focusButton) button.focus();
  }

  function menuItems(menu) {
    return Array.from(menu.querySelectorAll("[role^=menuitem]"));
  }

  function showMenu(button, focusLast) {
    closeMenu(false);
    const menu = document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) return;
    menu.hidden = false;
    button.setAttribute("aria-expanded", "true");
    const rect = button.getBoundingClientRect();
    const width = menu.offsetWidth;
    const height = menu.offsetHeight;
    let left = Math.min(rect.left, window.innerWidth - width - 8);
    let top = rect.bottom + 4;
    if (top + height > window.innerHeight - 8) top = Math.max(8, rect.top - height - 4);
    menu.style.left = Math.max(8, left) + "px";
    menu.style.top = top + "px";
    openMenu = { menu: menu, button: button };
    const items = menuItems(menu);
    if (items.length) items[focusLast ? items.length - 1 : 0].focus();
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-menu-button]");
    if (button) {
      // The button may sit inside a tree row's <summary>: do not toggle the row too.
      event.preventDefault();
      event.stopPropagation();
      if (openMenu && openMenu.button === button) closeMenu(true);
      else showMenu(button, false);
      return;
    }
    if (openMenu && !openMenu.menu.contains(event.target)) closeMenu(false);
    if (openMenu && event.target.closest("[role^=menuitem]")) {
      const item = event.target.closest("[role^=menuitem]");
      // Let the item act (follow its link or submit), then tidy up.
      setTimeout(function () { closeMenu(false); }, 0);
    }
  }, true);

  document.addEventListener("keydown", function (event) {
    const button = event.target.closest && event.target.closest("[data-menu-button]");
    if (button && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      showMenu(button, event.key === "ArrowUp");
      return;
    }
    if (!openMenu) return;
    const items = menuItems(openMenu.menu);
    const i = items.indexOf(document.activeElement);
    if (event.key === "Escape") { event.preventDefault(); closeMenu(true); }
    else if (event.key === "ArrowDown") { event.preventDefault(); items[(i + 1) % items.length].focus(); }
    else if (event.key === "ArrowUp") { event.preventDefault(); items[(i - 1 + items.length) % items.length].focus(); }
    else if (event.key === "Home") { event.preventDefault(); items[0].focus(); }
    else if (event.key === "End") { event.preventDefault(); items[items.length - 1].focus(); }
    else if (event.key === "Tab") closeMenu(false);
    else if ((event.key === " " || event.key === "Enter") && items.includes(document.activeElement)) {
      // Inside a <summary>, Space and Enter would toggle the row; act on the item instead.
      event.preventDefault();
      event.stopPropagation();
      document.activeElement.click();
    }
  }, true);

  window.addEventListener("resize", function () { closeMenu(false); });
  document.addEventListener("scroll", function () { closeMenu(false); }, true);

  // ---- Dialogs and side panels loaded on demand --------------------------------------------------

  function openDialog(dialog, fetched) {
    // A dialog rendered open (so it shows without this script) is reopened as a modal; the close
    // event of that first close() must not count as the user leaving.
    if (dialog.open) { dialog.dataset.reopening = "1"; dialog.close(); }
    dialog.showModal();
    initForms(dialog);
    dialog.addEventListener("close", function () {
      if (dialog.dataset.reopening) { delete dialog.dataset.reopening; return; }
      if (fetched) { dialog.remove(); return; }
      // A dialog that is the whole page goes back where its Cancel link points.
      const closer = dialog.querySelector("a[data-close-dialog]");
      if (closer && !dialog.dataset.submitting) window.location.href = closer.href;
    });
    dialog.addEventListener("submit", function () { dialog.dataset.submitting = "1"; });
    const first = dialog.querySelector("input[type=text]:not([readonly]), textarea, select");
    if (first) first.focus();
  }

  document.addEventListener("click", function (event) {
    const link = event.target.closest("a[data-dialog], a[data-panel]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    closeMenu(false);
    fetchPartial(link.href).then(function (res) {
      const dialog = res.ok ? fragment(res.text) : null;
      if (!dialog || dialog.tagName !== "DIALOG") { window.location.href = link.href; return; }
      document.body.appendChild(dialog);
      openDialog(dialog, true);
    }).catch(function () { window.location.href = link.href; });
  });

  document.addEventListener("click", function (event) {
    const closer = event.target.closest("[data-close-dialog]");
    if (!closer) return;
    const dialog = closer.closest("dialog");
    // A dialog that is the whole page (opened on load) leaves by following its link.
    if (!dialog || dialog.hasAttribute("data-autopen")) return;
    event.preventDefault();
    dialog.close();
  });

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

  // ---- Forms: create dataset, edit details, create table -----------------------------------------

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

  function initForms(root) {
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
  document.addEventListener("submit", function (event) {
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
  });

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

  // ---- Explorer filter ---------------------------------------------------------------------------

  function applyFilter() {
    const input = document.querySelector("[data-explorer-filter]");
    if (!input) return;
    const stored = sessionStorage.getItem(FILTER_KEY) || "";
    if (input.value !== stored && document.activeElement !== input) input.value = stored;
    const query = input.value.trim().toLowerCase();
    const explorer = input.closest(".explorer");
    let any = false;
    explorer.querySelectorAll("[data-filter-group]").forEach(function (group) {
      const summary = group.querySelector("summary[data-filter-name]");
      const own = summary.dataset.filterName.toLowerCase().includes(query);
      let childMatch = false;
      group.querySelectorAll("li[data-filter-name]").forEach(function (leaf) {
        const match = !query || own || leaf.dataset.filterName.toLowerCase().includes(query);
        leaf.hidden = !match;
        if (match && query) childMatch = true;
      });
      const visible = !query || own || childMatch;
      group.hidden = !visible;
      if (visible) any = true;
      if (query && childMatch) group.querySelector("details").open = true;
    });
    const empty = explorer.querySelector("[data-filter-empty]");
    if (empty) empty.hidden = any || !query;
  }

  document.addEventListener("input", function (event) {
    if (!event.target.matches || !event.target.matches("[data-explorer-filter]")) return;
    sessionStorage.setItem(FILTER_KEY, event.target.value);
    applyFilter();
  });

  // ---- Main-area tabs that survive a reload ------------------------------------------------------

  function loadTabs() {
    try {
      const data = JSON.parse(localStorage.getItem(TABS_KEY) || "[]");
      return Array.isArray(data) ? data : [];
    } catch (e) { return []; }
  }

  function saveTabs(tabs) {
    try { localStorage.setItem(TABS_KEY, JSON.stringify(tabs)); } catch (e) { /* private mode */ }
  }

  function upsertTab(tab) {
    const tabs = loadTabs();
    const i = tabs.findIndex(function (t) { return t.key === tab.key; });
    if (i >= 0) tabs[i] = Object.assign(tabs[i], tab);
    else tabs.push(tab);
    saveTabs(tabs);
  }

  function nextQueryTitle() {
    let highest = 0;
    loadTabs().forEach(function (t) {
      const m = t.kind === "query" && /^Untitled query(?: (\d+))?$/.exec(t.title);
      if (m) highest = Math.max(highest, m[1] ? parseInt(m[1], 10) : 1);
    });
    return highest ? "Untitled query " + (highest + 1) : "Untitled query";
  }

  function renderTabs(currentKey) {
    const strip = document.getElementById("main-tabs");
    if (!strip) return;
    strip.querySelectorAll(".main-tab:not(.main-tab-home), .main-tab-new").forEach(function (el) { el.remove(); });
    loadTabs().forEach(function (t) {
      const item = document.createElement("span");
      item.className = "main-tab";
      item.dataset.key = t.key;
      const link = document.createElement("a");
      link.href = t.url;
      link.innerHTML = icon(t.kind);
      const label = document.createElement("span");
      label.textContent = t.title;
      link.appendChild(label);
      link.title = t.title;
      if (t.key === currentKey) { item.classList.add("is-current"); link.setAttribute("aria-current", "page"); }
      const close = document.createElement("button");
      close.type = "button";
      close.className = "tab-close";
      close.setAttribute("aria-label", "Close tab " + t.title);
      close.innerHTML = icon("close");
      close.addEventListener("click", function () { closeTab(t.key, currentKey); });
      item.append(link, close);
      strip.appendChild(item);
    });
    const add = document.createElement("a");
    add.className = "main-tab-new";
    add.href = "/query";
    add.setAttribute("aria-label", "Compose new query");
    add.title = "Compose new query";
    add.innerHTML = icon("plus");
    strip.appendChild(add);
    const current = strip.querySelector(".is-current");
    if (current) current.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  function closeTab(key, currentKey) {
    const tabs = loadTabs();
    const i = tabs.findIndex(function (t) { return t.key === key; });
    if (i < 0) return;
    const [gone] = tabs.splice(i, 1);
    saveTabs(tabs);
    if (gone.kind === "query") localStorage.removeItem(SQL_KEY + gone.key.slice(6));
    if (key === currentKey) {
      const next = tabs[i] || tabs[i - 1];
      window.location.href = next ? next.url : "/";
    } else {
      renderTabs(currentKey);
    }
  }

  function setupTabs() {
    const main = document.getElementById("main");
    if (!main) return null;
    const forget = main.dataset.forgetTabs;
    if (forget) {
      saveTabs(loadTabs().filter(function (t) {
        const gone = t.url.indexOf(forget) === 0;
        if (gone && t.kind === "query") localStorage.removeItem(SQL_KEY + t.key.slice(6));
        return !gone;
      }));
    }
    const kind = main.dataset.tabKind;
    let key = null;
    if (kind && kind !== "query" && main.dataset.tabUrl) {
      key = main.dataset.tabUrl;
      upsertTab({ key: key, kind: kind, title: main.dataset.tabTitle, url: key + window.location.search });
    } else if (kind === "query") {
      key = setupQueryTab();
    }
    renderTabs(key);
    return key;
  }

  function setupQueryTab() {
    const form = document.querySelector("form[data-query-form]");
    if (!form) return null;
    const params = new URLSearchParams(window.location.search);
    const fresh = params.has("sql");
    let id = params.get("tab");
    if (!id || !/^[A-Za-z0-9_-]+$/.test(id)) {
      id = "q" + Date.now().toString(36) + Math.floor(Math.random() * 1296).toString(36);
      params.set("tab", id);
    }
    params.delete("sql");
    const url = "/query?" + params.toString();
    history.replaceState(null, "", url);
    form.querySelector("input[name=tab]").value = id;
    const key = "query:" + id;
    const existing = loadTabs().find(function (t) { return t.key === key; });
    upsertTab({ key: key, kind: "query", title: existing ? existing.title : nextQueryTitle(), url: url });
    const editor = form.querySelector("textarea");
    const stored = localStorage.getItem(SQL_KEY + id);
    if (!fresh && stored !== null && stored !== editor.value && !params.has("job")) editor.value = stored;
    localStorage.setItem(SQL_KEY + id, editor.value);
    editor.addEventListener("input", function () { localStorage.setItem(SQL_KEY + id, editor.value); });
    document.title = (existing ? existing.title : loadTabs().find(function (t) { return t.key === key; }).title) + " – Quarry";
    return key;
  }

  // ---- Query editor: highlighting, Ctrl+Enter, validator -----------------------------------------

  function setupCodeEditor(wrapper) {
    if (wrapper.dataset.ready) return;
    wrapper.dataset.ready = "1";
    const editor = wrapper.querySelector("textarea");
    const code = wrapper.querySelector(".code-highlight code");
    const pre = wrapper.querySelector(".code-highlight");
    function paint() {
      code.innerHTML = window.QuarrySQL ? window.QuarrySQL.highlight(editor.value) : "";
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

  function setupQueryEditor() {
    const form = document.querySelector("form[data-query-form]");
    if (!form) return;
    const editor = form.querySelector("textarea");
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
      const body = new URLSearchParams({ sql: sql, csrfmiddlewaretoken: csrfToken() });
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
    editor.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(validate, 300);
    });
    validate();
    if (!document.querySelector("#job-status")) {
      editor.focus();
      editor.setSelectionRange(editor.value.length, editor.value.length);
    }
  }

  // ---- Everything else ---------------------------------------------------------------------------

  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-dismiss]");
    if (button) button.closest(".message").remove();
  });

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document.body);
    setupTabs();
    setupQueryEditor();
    initForms(document);
    applyFilter();
    document.querySelectorAll("dialog[data-autopen]").forEach(function (d) { openDialog(d, false); });
  });
})();
