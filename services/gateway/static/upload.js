// Upload page: each archive (or one folder) goes up by XHR with its own progress bar, then its
// songs' stages are polled by htmx from /uploads/<id>/status.
"use strict";
(function () {
  const form = document.getElementById("upload-form");
  if (!form) return;
  const list = document.getElementById("upload-list");
  const zone = document.getElementById("dropzone");
  const filesInput = document.getElementById("files");
  const folderInput = document.getElementById("folder");
  const generateBox = document.getElementById("generate-difficulties");
  const generating = () => Boolean(generateBox && generateBox.checked);
  let dropped = [];

  function item(label) {
    document.getElementById("upload-empty")?.remove();
    const li = document.createElement("li");
    li.className = "upload-item";
    const title = document.createElement("strong");
    title.textContent = label;
    const bar = document.createElement("progress");
    bar.max = 100; bar.value = 0;
    bar.setAttribute("aria-label", "Upload progress of " + label);
    const note = document.createElement("p");
    note.className = "small muted";
    note.setAttribute("role", "status");
    note.textContent = "Waiting…";
    li.append(title, bar, note);
    list.prepend(li);
    return { li, bar, note };
  }

  function send(label, parts) {
    if (parts.length === 1 && !parts[0][0].includes("/")) {
      sendResumable(label, parts[0][1]);
      return;
    }
    const view = item(label);
    const body = new FormData();
    for (const [name, file] of parts) body.append("file", file, name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/uploads/" + (generating() ? "?generate_difficulties=true" : ""));
    xhr.setRequestHeader("X-CSRFToken", form.dataset.csrf);
    xhr.upload.addEventListener("progress", (e) => {
      if (!e.lengthComputable) return;
      view.bar.value = Math.round((100 * e.loaded) / e.total);
      view.note.textContent = "Uploading… " + view.bar.value + "%";
    });
    xhr.addEventListener("load", () => {
      let answer = {};
      try { answer = JSON.parse(xhr.responseText); } catch (_) { /* not JSON */ }
      if (xhr.status !== 202) {
        const why = answer.error || answer.detail || xhr.statusText;
        view.note.textContent = (answer.retryable ? "Not stored, try again in a moment: "
          : "Refused: ") + why;
        view.note.className = "small stage-failed";
        return;
      }
      watch(view, answer.upload_id);
    });
    xhr.addEventListener("error", () => { view.note.textContent = "The connection failed."; });
    xhr.send(body);
  }

  function watch(view, uploadId) {
    view.bar.value = 100;
    view.note.textContent = "Received; processing…";
    const status = document.createElement("div");
    status.setAttribute("hx-get", "/uploads/" + uploadId + "/status");
    status.setAttribute("hx-trigger", "load");
    status.setAttribute("hx-swap", "outerHTML");
    view.li.append(status);
    window.htmx.process(status);
  }

  // A single file goes up in chunks (tus 1.0 core): after a dropped connection it asks the
  // server how far it got and goes on from there, so a big pack is never sent twice.
  const CHUNK = 8 * 1024 * 1024;
  const tus = () => ({ "X-CSRFToken": form.dataset.csrf, "Tus-Resumable": "1.0.0" });

  async function sendResumable(label, file) {
    const view = item(label);
    const created = await fetch("/api/uploads/resumable", { method: "POST", headers: {
      ...tus(), "Upload-Length": String(file.size),
      "Upload-Metadata": "filename " + btoa(unescape(encodeURIComponent(file.name)))
        + (generating() ? ",generate_difficulties " + btoa("true") : "") } });
    if (created.status !== 201) {
      const answer = await created.json().catch(() => ({}));
      view.note.textContent = "Refused: " + (answer.error || answer.detail || created.statusText);
      view.note.className = "small stage-failed";
      return;
    }
    const url = created.headers.get("Location");
    let offset = 0;
    let failures = 0;
    while (offset < file.size) {
      try {
        offset = await sendChunk(url, file, offset, view);
        failures = 0;
      } catch (_) {
        failures += 1;
        if (failures > 12) {
          view.note.textContent = "The connection keeps failing; upload this file again later.";
          return;
        }
        view.note.textContent = "Connection lost; resuming…";
        await new Promise((ok) => setTimeout(ok, Math.min(30000, 500 * 2 ** failures)));
        const probe = await fetch(url, { method: "HEAD", headers: tus() }).catch(() => null);
        if (probe && probe.ok) offset = Number(probe.headers.get("Upload-Offset"));
      }
    }
    watch(view, url.split("/").pop());
  }

  function sendChunk(url, file, offset, view) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("PATCH", url);
      const headers = { ...tus(), "Upload-Offset": String(offset),
                        "Content-Type": "application/offset+octet-stream" };
      for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
      xhr.upload.addEventListener("progress", (e) => {
        view.bar.value = Math.round((100 * (offset + e.loaded)) / file.size);
        view.note.textContent = "Uploading… " + view.bar.value + "%";
      });
      xhr.addEventListener("load", () => (xhr.status === 204
        ? resolve(Number(xhr.getResponseHeader("Upload-Offset"))) : reject(xhr.status)));
      xhr.addEventListener("error", () => reject(0));
      xhr.send(file.slice(offset, Math.min(file.size, offset + CHUNK)));
    });
  }

  function readEntry(entry, path, out) {
    return new Promise((resolve) => {
      if (entry.isFile) {
        entry.file((f) => { out.push([path + f.name, f]); resolve(); }, () => resolve());
        return;
      }
      const reader = entry.createReader();
      const all = [];
      const next = () => reader.readEntries(async (batch) => {
        if (!batch.length) {
          for (const child of all) await readEntry(child, path + entry.name + "/", out);
          resolve();
          return;
        }
        all.push(...batch);
        next();
      }, () => resolve());
      next();
    });
  }

  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", async (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    const entries = [...e.dataTransfer.items].map((i) => i.webkitGetAsEntry && i.webkitGetAsEntry());
    for (const entry of entries) {
      if (!entry) continue;
      if (entry.isDirectory) {
        const parts = [];
        await readEntry(entry, "", parts);
        dropped.push({ label: entry.name + "/", parts });
      } else {
        await new Promise((ok) => entry.file((f) => { dropped.push({ label: f.name, parts: [[f.name, f]] }); ok(); }, ok));
      }
    }
    startAll();
  });

  function startAll() {
    for (const file of filesInput.files) send(file.name, [[file.name, file]]);
    if (folderInput.files.length) {
      const parts = [...folderInput.files].map((f) => [f.webkitRelativePath || f.name, f]);
      send(parts[0][0].split("/")[0] + "/", parts);
    }
    for (const d of dropped) send(d.label, d.parts);
    dropped = [];
    form.reset();
  }

  form.addEventListener("submit", (e) => { e.preventDefault(); startAll(); });
})();
