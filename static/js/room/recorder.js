// The mentor's recorder of a session.

const RECORDING_TIMESLICE_MS = 5_000;
const RECORDING_FPS = 15;
const KEEPALIVE_BODY_LIMIT = 60 * 1024;

// Records a composite of every visible video tile plus a mix of all audio, in the mentor's browser, and uploads
// each timeslice as soon as it exists (in order, retried), so a closed tab loses at most the last few seconds.
export class SessionRecorder {
  constructor({ recordingId, uploadUrl, csrfToken, tiles, audioTracks, onError }) {
    this.recordingId = recordingId;
    this.uploadUrl = uploadUrl;
    this.csrfToken = csrfToken;
    this.tiles = tiles;
    this.onError = onError;
    this.sequence = 0;
    this.uploads = Promise.resolve();
    this.canvas = document.createElement("canvas");
    this.canvas.width = 1280;
    this.canvas.height = 720;
    this.context2d = this.canvas.getContext("2d");
    this.audioContext = new AudioContext();
    this.mixDestination = this.audioContext.createMediaStreamDestination();
    this.mixedTracks = new Set();
    for (const track of audioTracks()) this.addAudioTrack(track);
    this.drawTimer = setInterval(() => this.draw(), 1000 / RECORDING_FPS);
    const stream = new MediaStream([
      ...this.canvas.captureStream(RECORDING_FPS).getVideoTracks(),
      ...this.mixDestination.stream.getAudioTracks(),
    ]);
    const mimeType = ["video/webm;codecs=vp8,opus", "video/webm"].find((type) => MediaRecorder.isTypeSupported(type));
    this.recorder = new MediaRecorder(stream, { mimeType, videoBitsPerSecond: 1_000_000 });
    this.recorder.ondataavailable = (event) => {
      if (event.data && event.data.size > 0) this.enqueue(event.data);
    };
    this.recorder.start(RECORDING_TIMESLICE_MS);
  }

  addAudioTrack(track) {
    if (!track || this.mixedTracks.has(track.id) || track.readyState === "ended") return;
    this.mixedTracks.add(track.id);
    this.audioContext.createMediaStreamSource(new MediaStream([track])).connect(this.mixDestination);
  }

  draw() {
    const videos = this.tiles().filter((video) => video.videoWidth > 0);
    const ctx = this.context2d;
    ctx.fillStyle = "#0f172a";
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    if (videos.length === 0) return;
    const columns = Math.ceil(Math.sqrt(videos.length));
    const rows = Math.ceil(videos.length / columns);
    const cellWidth = this.canvas.width / columns;
    const cellHeight = this.canvas.height / rows;
    videos.forEach((video, index) => {
      const scale = Math.min(cellWidth / video.videoWidth, cellHeight / video.videoHeight);
      const width = video.videoWidth * scale;
      const height = video.videoHeight * scale;
      const x = (index % columns) * cellWidth + (cellWidth - width) / 2;
      const y = Math.floor(index / columns) * cellHeight + (cellHeight - height) / 2;
      ctx.drawImage(video, x, y, width, height);
    });
  }

  enqueue(blob, { keepalive = false } = {}) {
    const sequence = this.sequence;
    this.sequence += 1;
    const url = this.uploadUrl.replace("__seq__", String(sequence));
    const upload = async () => {
      for (let attempt = 0; attempt < 4; attempt += 1) {
        try {
          const response = await fetch(url, {
            method: "POST",
            body: blob,
            headers: { "Content-Type": blob.type || "video/webm", "X-CSRFToken": this.csrfToken },
            credentials: "same-origin",
            keepalive: keepalive && blob.size <= KEEPALIVE_BODY_LIMIT,
          });
          if (response.ok) return;
          if (response.status < 500) break;
        } catch (error) {
          console.warn("room: chunk upload failed", error);
        }
        await new Promise((resolve) => setTimeout(resolve, 1000 * 2 ** attempt));
      }
      this.onError(sequence);
    };
    this.uploads = this.uploads.then(upload);
  }

  // Flushes what is buffered; with keepalive the last small chunk survives the page being closed.
  flush({ keepalive = false } = {}) {
    if (this.recorder.state !== "recording") return;
    if (keepalive) {
      this.recorder.ondataavailable = (event) => {
        if (event.data && event.data.size > 0) this.enqueue(event.data, { keepalive: true });
      };
    }
    this.recorder.requestData();
  }

  stop() {
    clearInterval(this.drawTimer);
    return new Promise((resolve) => {
      if (this.recorder.state === "inactive") {
        resolve();
        return;
      }
      this.recorder.onstop = () => {
        this.audioContext.close();
        this.uploads.then(resolve);
      };
      this.recorder.stop();
    });
  }
}
