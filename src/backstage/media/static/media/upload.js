// Resumable uploads with tus-js-client: progress, pause and resume, and recovery after a dropped
// connection or a closed page (the client remembers unfinished uploads in localStorage).
(function () {
  "use strict";
  const form = document.getElementById("upload-form");
  if (!form || !window.tus) return;
  const texts = JSON.parse(document.getElementById("upload-texts").textContent);
  const list = document.getElementById("upload-list");
  const template = document.getElementById("upload-item");

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, (_, key) => values[key]);
  }
  function size(bytes) {
    const units = ["B", "KB", "MB", "GB", "TB"];
    let value = bytes, unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
    return value.toLocaleString(document.documentElement.lang, { maximumFractionDigits: unit ? 1 : 0 }) + " " + units[unit];
  }

  function start(file) {
    const item = template.content.firstElementChild.cloneNode(true);
    const bar = item.querySelector("progress");
    const status = item.querySelector(".upload-status");
    const toggle = item.querySelector(".upload-toggle");
    const open = item.querySelector(".upload-open");
    item.querySelector(".upload-name").textContent = file.name;
    list.appendChild(item);

    const production = form.elements.production ? form.elements.production.value : "";
    let lastBytes = 0, lastTime = performance.now(), speed = 0, running = true;
    const upload = new tus.Upload(file, {
      endpoint: form.dataset.endpoint,
      chunkSize: Number(form.dataset.chunkSize) || Infinity,
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000],
      removeFingerprintOnSuccess: true,
      metadata: { filename: file.name, filetype: file.type || "", ...(production ? { production } : {}) },
      headers: { "X-CSRFToken": form.dataset.csrf },
      onProgress(sent, total) {
        const now = performance.now();
        if (now - lastTime > 1000) {
          speed = (sent - lastBytes) * 1000 / (now - lastTime);
          lastBytes = sent; lastTime = now;
        }
        bar.value = total ? Math.floor(sent * 100 / total) : 0;
        status.textContent = format(texts.speed, { done: size(sent), total: size(total), speed: size(speed) });
      },
      onError(error) {
        running = false;
        toggle.textContent = texts.resume;
        const reason = (error.originalResponse && error.originalResponse.getBody()) || error.message;
        status.textContent = format(texts.failed, { reason: reason });
        status.classList.add("error");
      },
      onSuccess() {
        running = false;
        bar.value = 100;
        status.textContent = texts.done;
        toggle.hidden = true;
        const id = upload.url.replace(/\/$/, "").split("/").pop();
        open.href = form.dataset.assetUrl.replace("00000000-0000-0000-0000-000000000000", id);
        open.textContent = texts.open;
        open.hidden = false;
      },
    });
    toggle.textContent = texts.pause;
    toggle.addEventListener("click", () => {
      if (running) { upload.abort(); running = false; toggle.textContent = texts.resume; status.textContent = texts.paused; }
      else { status.classList.remove("error"); upload.start(); running = true; toggle.textContent = texts.pause; }
    });
    upload.findPreviousUploads().then((previous) => {
      if (previous.length) {
        upload.resumeFromPreviousUpload(previous[0]);
        status.textContent = texts.resuming;
      }
      upload.start();
    });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = form.elements.files;
    Array.from(input.files).forEach(start);
    input.value = "";
  });
})();
