// Generator page: the audio goes up by XHR with a progress bar; then the upload's stages are
// polled by htmx from /uploads/<id>/status until the generated song is in the library.
"use strict";
(function () {
  const form = document.getElementById("generator-form");
  if (!form) return;
  const bar = document.getElementById("generator-bar");
  const note = document.getElementById("generator-note");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const file = document.getElementById("audio").files[0];
    if (!file) return;
    const params = new URLSearchParams();
    for (const name of ["name", "artist", "album", "genre", "year"]) {
      const value = form.elements[name].value.trim();
      if (value) params.set(name, value);
    }
    const body = new FormData();
    body.append("file", file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/generate?" + params.toString());
    xhr.setRequestHeader("X-CSRFToken", form.dataset.csrf);
    bar.hidden = false;
    xhr.upload.addEventListener("progress", (e) => {
      if (!e.lengthComputable) return;
      bar.value = Math.round((100 * e.loaded) / e.total);
      note.textContent = "Uploading… " + bar.value + "%";
    });
    xhr.addEventListener("load", () => {
      let answer = {};
      try { answer = JSON.parse(xhr.responseText); } catch (_) { /* not JSON */ }
      if (xhr.status !== 202) {
        note.textContent = "Refused: " + (answer.error || answer.detail || xhr.statusText);
        return;
      }
      bar.value = 100;
      note.textContent = "Listening to the music and writing the chart… this takes up to a minute.";
      const status = document.createElement("div");
      status.setAttribute("hx-get", "/uploads/" + answer.upload_id + "/status");
      status.setAttribute("hx-trigger", "load");
      status.setAttribute("hx-swap", "outerHTML");
      document.getElementById("generator-progress").append(status);
      window.htmx.process(status);
    });
    xhr.addEventListener("error", () => { note.textContent = "The connection failed."; });
    xhr.send(body);
  });
})();
