// A setlist's order, changed in place: "Move up" / "Move down" buttons (keyboard and pointer)
// and HTML5 drag and drop, each change saved at once through the API. Without this script the
// buttons post their forms and the page comes back in the new order.
"use strict";
(() => {
  const list = document.getElementById("setlist-songs");
  if (!list || !list.dataset.orderUrl) return;
  const status = document.getElementById("setlist-status");
  const csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  const rows = () => [...list.querySelectorAll(":scope > li[data-song-id]")];

  const renumber = () => rows().forEach((row, index) => {
    row.querySelector(".position").textContent = String(index + 1);
  });

  const save = async (moved) => {
    renumber();
    const order = rows().map((row) => row.dataset.songId);
    list.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(list.dataset.orderUrl, {
        method: "PUT", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
        body: JSON.stringify({song_ids: order}),
      });
      if (!response.ok) { window.location.reload(); return; }
      if (moved) {
        const title = moved.querySelector(".title").textContent;
        status.textContent = `${title} is now number ${order.indexOf(moved.dataset.songId) + 1} of ${order.length}.`;
      }
      list.dataset.saved = order.join(",");
    } finally {
      list.removeAttribute("aria-busy");
    }
  };

  list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-move]");
    if (!button) return;
    event.preventDefault();
    const row = button.closest("li");
    if (button.dataset.move === "up" && row.previousElementSibling) {
      list.insertBefore(row, row.previousElementSibling);
    } else if (button.dataset.move === "down" && row.nextElementSibling) {
      list.insertBefore(row.nextElementSibling, row);
    } else {
      return;
    }
    button.focus();
    save(row);
  });

  let dragged = null;
  list.addEventListener("dragstart", (event) => {
    dragged = event.target.closest("li[data-song-id]");
    if (!dragged) return;
    dragged.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.songId);
  });
  list.addEventListener("dragover", (event) => {
    const over = event.target.closest("li[data-song-id]");
    if (!dragged || !over || over === dragged) return;
    event.preventDefault();
    const box = over.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    list.insertBefore(dragged, after ? over.nextElementSibling : over);
  });
  list.addEventListener("drop", (event) => { if (dragged) event.preventDefault(); });
  list.addEventListener("dragend", () => {
    if (!dragged) return;
    const moved = dragged;
    dragged.classList.remove("dragging");
    dragged = null;
    save(moved);
  });
})();
