// Plays a release: HLS through hls.js (or natively on iOS), the MP4 download when neither works.
// The film's audio tracks (original, dubs, audio description) become a menu; subtitles are the
// <track> elements of the video, which the browser's own controls offer.
(function () {
  "use strict";
  document.querySelectorAll("video[data-hls]").forEach((video) => {
    const source = video.dataset.hls;
    const tools = video.parentElement.querySelector(".player-tools");
    const select = tools && tools.querySelector(".audio-track-select");
    if (window.Hls && window.Hls.isSupported()) {
      const hls = new window.Hls({ capLevelToPlayerSize: true, renderTextTracksNatively: true });
      hls.on(window.Hls.Events.ERROR, (_event, data) => {
        if (data.fatal && video.dataset.mp4) { hls.destroy(); video.src = video.dataset.mp4; video.dataset.player = "mp4"; }
      });
      hls.on(window.Hls.Events.AUDIO_TRACKS_UPDATED, () => {
        if (!select || hls.audioTracks.length < 2) return;
        select.replaceChildren(...hls.audioTracks.map((track, index) => {
          const option = document.createElement("option");
          option.value = String(index);
          option.textContent = track.name || track.lang || String(index + 1);
          option.selected = index === hls.audioTrack;
          return option;
        }));
        tools.hidden = false;
      });
      if (select) select.addEventListener("change", () => { hls.audioTrack = Number(select.value); });
      hls.loadSource(source);
      hls.attachMedia(video);
      video.dataset.player = "hls.js";
      video.hls = hls;
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = source;  // Safari lists the audio tracks in its own controls
      video.dataset.player = "native";
    } else if (video.dataset.mp4) {
      video.src = video.dataset.mp4;
      video.dataset.player = "mp4";
    }
    // The first subtitles show when the page's language has none of its own.
    const lang = (document.documentElement.lang || "").split("-")[0];
    const tracks = Array.from(video.textTracks);
    const preferred = tracks.find((track) => track.language.split("-")[0] === lang);
    if (preferred && tracks.length) preferred.mode = "showing";
  });
})();
