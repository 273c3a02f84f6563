// The subtitle editor: rows added and removed in place, times taken from the video, the current cue
// drawn over it, and the whole document posted as one JSON field (so that long films stay under the
// server's limit on form fields). Without this script the table is an ordinary form and still saves.
(function () {
  "use strict";
  const form = document.getElementById("subtitle-editor");
  if (!form) return;
  const body = form.querySelector("[data-cue-rows]");
  const template = document.getElementById("cue-row-template");
  const tools = document.getElementById("cue-row-tools");
  const video = document.getElementById("subtitle-preview");
  const overlay = form.querySelector("[data-preview-cue]");
  const clock = form.querySelector("[data-clock]");
  const unsaved = form.querySelector("[data-unsaved]");
  const filmDuration = parseInt(form.dataset.filmDuration, 10) || null;
  const FIELDS = ["start", "end", "text", "settings"];
  const NEW_CUE_MS = 2000;
  let currentRow = null;
  let dirty = false;

  function rows() { return Array.from(body.querySelectorAll("[data-cue-row]")); }
  function input(row, name) { return row.querySelector('[name="' + name + '"]'); }

  // Times as people type them, the way the server reads them: 1:02:03.5, 02:03,500, 62.5.
  function parseTime(text) {
    const match = /^\s*(?:(?:(\d{1,4}):)?(\d{1,2}):)?(\d{1,6})(?:[.,](\d{1,3}))?\s*$/.exec(text);
    if (!match) return null;
    const minutes = Number(match[2] || 0), seconds = Number(match[3]);
    if (match[2] !== undefined && (seconds > 59 || minutes > 59)) return null;
    return ((Number(match[1] || 0) * 60 + minutes) * 60 + seconds) * 1000 + Number((match[4] || "0").padEnd(3, "0"));
  }
  function pad(value, size) { return String(value).padStart(size, "0"); }
  function formatTime(ms) {
    ms = Math.max(0, Math.round(ms));
    return pad(Math.floor(ms / 3600000), 2) + ":" + pad(Math.floor(ms / 60000) % 60, 2) + ":" +
      pad(Math.floor(ms / 1000) % 60, 2) + "." + pad(ms % 1000, 3);
  }
  function nowMs() { return video ? Math.round(video.currentTime * 1000) : 0; }

  // What a viewer reads: WebVTT's tags left out, its escapes read back; shown as text, never as HTML.
  function readable(text) {
    return text.replace(/<[^>]*>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">")
      .replace(/&nbsp;/g, "\u00a0").replace(/&amp;/g, "&").trim();
  }

  function changed() {
    dirty = true;
    if (unsaved) unsaved.hidden = false;
  }

  function renumber() {
    rows().forEach((row, index) => {
      row.id = "cue-" + (index + 1);
      row.querySelector("[data-cue-number]").textContent = String(index + 1);
    });
  }

  // The buttons that need the script are added to each row here, not sent with every row of the page.
  function decorate(row) {
    Array.from(tools.content.cloneNode(true).children).forEach((button) => {
      if (button.dataset.action !== "remove-row" && !video) return;
      row.querySelector('[data-slot="' + button.dataset.slot + '"]').append(button);
    });
    return row;
  }

  function newRow(values) {
    const row = decorate(template.content.firstElementChild.cloneNode(true));
    FIELDS.forEach((name) => { if (values && values[name] !== undefined) input(row, name).value = values[name]; });
    return row;
  }

  function isBlank(row) { return FIELDS.every((name) => !input(row, name).value.trim()); }

  function insertInTimeOrder(row, start) {
    const after = rows().find((other) => {
      const otherStart = parseTime(input(other, "start").value);
      return otherStart !== null && otherStart > start;
    });
    body.insertBefore(row, after || null);
  }

  function setTime(row, name) {
    if (!row || !video) return;
    input(row, name).value = formatTime(nowMs());
    changed();
    currentRow = row;
    showCurrent();
  }

  function showCurrent() {
    const now = nowMs();
    const texts = [];
    rows().forEach((row) => {
      const start = parseTime(input(row, "start").value), end = parseTime(input(row, "end").value);
      const on = start !== null && end !== null && start <= now && now < end;
      row.classList.toggle("is-current", on);
      if (on) { const text = readable(input(row, "text").value); if (text) texts.push(text); }
    });
    if (clock) clock.textContent = formatTime(now);
    if (!overlay) return;
    overlay.replaceChildren(...texts.map((text, index) => {
      const span = document.createElement("span");
      span.textContent = (index ? "\n" : "") + text;
      return span;
    }));
    overlay.hidden = texts.length === 0;
  }

  function follow() {
    showCurrent();
    if (video && !video.paused && !video.ended) window.requestAnimationFrame(follow);
  }

  // The script's own controls; the help that only applies without it goes away.
  document.querySelectorAll("[data-js-only]").forEach((element) => { element.hidden = false; });
  document.querySelectorAll("[data-no-js]").forEach((element) => { element.hidden = true; });
  // Empty rows are there for typing without the script; "Add a cue" makes new ones here.
  rows().forEach((row) => {
    if (isBlank(row) && !row.classList.contains("has-problem")) row.remove();
    else decorate(row);
  });
  renumber();

  body.addEventListener("focusin", (event) => {
    const row = event.target.closest("[data-cue-row]");
    if (row) currentRow = row;
  });
  body.addEventListener("input", () => { changed(); showCurrent(); });
  form.querySelector("[name=label]")?.addEventListener("input", changed);

  form.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const row = button.closest("[data-cue-row]");
    switch (button.dataset.action) {
      case "row-set-start": setTime(row, "start"); break;
      case "row-set-end": setTime(row, "end"); break;
      case "set-start": setTime(currentRow || rows().at(-1), "start"); break;
      case "set-end": setTime(currentRow || rows().at(-1), "end"); break;
      case "play-row": {
        const start = parseTime(input(row, "start").value);
        if (video && start !== null) { video.currentTime = start / 1000; video.play().catch(() => {}); }
        currentRow = row;
        break;
      }
      case "remove-row": {
        const next = row.nextElementSibling || row.previousElementSibling;
        row.remove();
        if (currentRow === row) currentRow = null;
        renumber();
        changed();
        showCurrent();
        (next ? input(next, "text") : form.querySelector("[data-action=add-row]")).focus();
        break;
      }
      case "add-row": {
        const previous = currentRow || rows().at(-1);
        const row = newRow(previous ? { start: input(previous, "end").value } : {});
        body.insertBefore(row, previous ? previous.nextElementSibling : null);
        renumber();
        changed();
        input(row, previous ? "end" : "start").focus();
        break;
      }
      case "add-at-now": {
        const start = nowMs();
        const end = filmDuration ? Math.min(start + NEW_CUE_MS, filmDuration) : start + NEW_CUE_MS;
        const row = newRow({ start: formatTime(start), end: formatTime(end) });
        insertInTimeOrder(row, start);
        renumber();
        changed();
        currentRow = row;
        input(row, "text").focus();
        showCurrent();
        break;
      }
    }
  });

  if (video) {
    video.addEventListener("play", follow);
    video.addEventListener("seeked", showCurrent);
    video.addEventListener("timeupdate", showCurrent);
  }

  form.addEventListener("submit", () => {
    const cues = rows().map((row) => Object.fromEntries(FIELDS.map((name) => [name, input(row, name).value])));
    form.querySelector("[data-document]").value = JSON.stringify(cues);
    // Sent once, as the document; the table's own fields would each count against the server's limit.
    rows().forEach((row) => row.querySelectorAll("input, textarea").forEach((field) => { field.disabled = true; }));
    dirty = false;
  });
  // Back from the next page, the browser may restore this one as it was left: usable again.
  window.addEventListener("pageshow", () => {
    form.querySelectorAll("[data-cue-row] input, [data-cue-row] textarea").forEach((field) => { field.disabled = false; });
    form.querySelector("[data-document]").value = "";
  });
  window.addEventListener("beforeunload", (event) => {
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = form.dataset.leaveWarning;
  });

  showCurrent();
})();
