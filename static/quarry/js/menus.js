/* Menus (⋮ View actions, project picker): one open at a time, placed under their button, driven
   by mouse or keyboard as WAI-ARIA's menu button pattern has it. */

let openMenu = null;

export function closeMenu(focusButton) {
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

export function listenForMenus() {
  // A page rewritten in place (see forms.js) starts again with no menu open.
  openMenu = null;

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
}
