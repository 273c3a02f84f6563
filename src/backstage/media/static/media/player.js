// Streams a video with HLS: through hls.js where the browser has Media Source Extensions, natively
// where it has not but plays HLS itself (iOS Safari), and from the MP4 copy when neither works.
(function () {
  "use strict";
  document.querySelectorAll("video[data-hls]").forEach((video) => {
    const source = video.dataset.hls;
    if (window.Hls && window.Hls.isSupported()) {
      const hls = new window.Hls({ capLevelToPlayerSize: true });
      hls.on(window.Hls.Events.ERROR, (_event, data) => {
        if (data.fatal && video.dataset.mp4) { hls.destroy(); video.src = video.dataset.mp4; video.dataset.player = "mp4"; }
      });
      hls.loadSource(source);
      hls.attachMedia(video);
      video.dataset.player = "hls.js";
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = source;
      video.dataset.player = "native";
    }
  });
})();
