// Shows moments in the visitor's own time zone, and counts down to the release moment. When the
// moment comes, a scheduled release's page reloads: the film is public then.
(function () {
  "use strict";
  const format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
    weekday: "long", year: "numeric", month: "long", day: "numeric",
    hour: "2-digit", minute: "2-digit", timeZoneName: "short",
  });
  document.querySelectorAll("time[data-local-time]").forEach((element) => {
    const moment = new Date(element.getAttribute("datetime"));
    if (!Number.isNaN(moment.getTime())) element.textContent = format.format(moment);
  });
  const pad = (value) => String(value).padStart(2, "0");
  document.querySelectorAll("[data-countdown]").forEach((element) => {
    const moment = new Date(element.dataset.countdown).getTime();
    if (Number.isNaN(moment)) return;
    const tick = () => {
      const left = Math.max(0, Math.floor((moment - Date.now()) / 1000));
      if (left === 0) {
        element.textContent = element.dataset.out;
        // A moment apart between visitors spreads the reloads over a few seconds; a visitor whose clock
        // runs ahead of the server's would get the premiere page again, so the page reloads at most
        // once a minute.
        const key = `backstage-reloaded:${window.location.pathname}`;
        const last = Number(sessionStorage.getItem(key) || 0);
        if (Date.now() - last > 60000) {
          sessionStorage.setItem(key, String(Date.now()));
          setTimeout(() => window.location.reload(), 1000 + Math.random() * 4000);
        }
        return false;
      }
      const days = Math.floor(left / 86400);
      const clock = `${pad(Math.floor((left % 86400) / 3600))}:${pad(Math.floor((left % 3600) / 60))}:${pad(left % 60)}`;
      element.textContent = days > 0 ? `${days} ${days === 1 ? element.dataset.day : element.dataset.days} ${clock}` : clock;
      return true;
    };
    if (tick()) {
      const timer = setInterval(() => { if (!tick()) clearInterval(timer); }, 1000);
    }
  });
})();
