// PeerLearn live room: WebRTC mesh between browsers, signalled through a Channels WebSocket.
//
// The media layer is one RTCPeerConnection per remote peer ("mesh"). Every connection follows the
// perfect-negotiation pattern (polite/impolite decided by user id), handles its signalling messages strictly in
// order (one promise chain per peer) and queues ICE candidates until a remote description is set, so glare and
// reordering cannot deadlock. The server decides each member's media mode (video in a small mesh, audio only for
// participants of a larger room), which keeps the upload per browser bounded.
//
// Page contract: templates/sessions_app/room.html renders the markup with x-data="sessionRoom" and the
// configuration as json_script "room-config" (URLs, ICE servers, user, translated strings).
(() => {
  "use strict";

  const MAX_RECONNECT_DELAY_MS = 10_000;
  const PEER_RETURN_GRACE_MS = 15_000;
  const ICE_DISCONNECTED_RESTART_MS = 3_000;
  const STATS_INTERVAL_MS = 2_000;
  const PING_INTERVAL_MS = 25_000;
  const RECORDING_TIMESLICE_MS = 5_000;
  const RECORDING_FPS = 15;
  const OUTGOING_QUEUE_LIMIT = 500;
  const KEEPALIVE_BODY_LIMIT = 60 * 1024;
  // A refusal (close code 44xx) is final: reconnecting would be refused again.
  const REFUSAL_CODES = { 4401: "refusedSignIn", 4403: "refusedNotMember", 4408: "refusedClosed", 4409: "refusedReplaced", 4410: "ended", 4412: "refusedConsent" };

  function newClientToken() {
    const bytes = new Uint8Array(9);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function mark(name) {
    if (performance.getEntriesByName(name).length === 0) performance.mark(name);
  }

  // --- signalling socket ------------------------------------------------------------------------------------

  class SignallingSocket {
    constructor(url, { onMessage, onStatus, onRefused }) {
      this.url = url;
      this.onMessage = onMessage;
      this.onStatus = onStatus;
      this.onRefused = onRefused;
      this.ws = null;
      this.ready = false;
      this.queue = [];
      this.attempt = 0;
      this.stopped = false;
      this.retryTimer = null;
    }

    open() {
      this.stopped = false;
      const ws = new WebSocket(this.url);
      this.ws = ws;
      this.onStatus(this.attempt === 0 ? "connecting" : "reconnecting");
      ws.onopen = () => mark("room:socket-open");
      ws.onmessage = (event) => {
        let data;
        try {
          data = JSON.parse(event.data);
        } catch {
          return;
        }
        if (data.type === "welcome") {
          this.ready = true;
          this.attempt = 0;
          this.onStatus("open");
          this.onMessage(data);
          this.flush();
          return;
        }
        this.onMessage(data);
      };
      ws.onclose = (event) => {
        if (this.ws !== ws) return;
        this.ws = null;
        this.ready = false;
        if (this.stopped) return;
        if (event.code in REFUSAL_CODES) {
          this.stopped = true;
          this.onRefused(event.code);
          return;
        }
        this.scheduleReconnect();
      };
    }

    scheduleReconnect() {
      this.onStatus("reconnecting");
      const base = Math.min(MAX_RECONNECT_DELAY_MS, 500 * 2 ** this.attempt);
      const delay = base / 2 + Math.random() * (base / 2);
      this.attempt += 1;
      this.retryTimer = setTimeout(() => this.open(), delay);
    }

    send(message) {
      if (this.ready && this.ws && this.ws.readyState === WebSocket.OPEN) {
        this.ws.send(JSON.stringify(message));
        return;
      }
      // Kept in order and delivered after the next welcome; media keeps flowing peer to peer meanwhile.
      if (this.queue.length < OUTGOING_QUEUE_LIMIT && message.type !== "ping") this.queue.push(message);
    }

    flush() {
      const pending = this.queue;
      this.queue = [];
      for (const message of pending) this.send(message);
    }

    close() {
      this.stopped = true;
      clearTimeout(this.retryTimer);
      if (this.ws) this.ws.close(1000);
      this.ws = null;
      this.ready = false;
    }
  }

  // --- one peer connection ----------------------------------------------------------------------------------

  class PeerLink {
    constructor({ peerId, polite, rtcConfig, send, localTracks, localStream, onTrack, onState }) {
      this.peerId = peerId;
      this.polite = polite;
      this.send = send;
      this.localTracks = localTracks;
      this.localStream = localStream; // a function: the local stream changes with devices
      this.onState = onState;
      this.makingOffer = false;
      this.ignoreOffer = false;
      this.settingRemoteAnswer = false;
      this.pendingCandidates = [];
      this.chain = Promise.resolve();
      this.remoteStream = new MediaStream();
      this.disconnectTimer = null;
      this.leaveTimer = null;
      this.statsBaseline = null;
      this.closed = false;

      const pc = new RTCPeerConnection(rtcConfig);
      this.pc = pc;
      pc.onnegotiationneeded = async () => {
        try {
          this.makingOffer = true;
          await pc.setLocalDescription();
          this.send({ type: pc.localDescription.type, to: this.peerId, sdp: pc.localDescription.sdp });
        } catch (error) {
          console.warn("room: offer failed", error);
        } finally {
          this.makingOffer = false;
        }
      };
      pc.onicecandidate = ({ candidate }) => {
        this.send({ type: "ice", to: this.peerId, candidate: candidate ? candidate.toJSON() : null });
      };
      pc.ontrack = ({ track }) => {
        if (!this.remoteStream.getTracks().includes(track)) this.remoteStream.addTrack(track);
        track.addEventListener("ended", () => this.remoteStream.removeTrack(track));
        onTrack(this, track);
      };
      pc.onconnectionstatechange = () => {
        if (pc.connectionState === "connected") mark("room:peer-connected");
        if (pc.connectionState === "failed") this.restartIce();
        this.onState(this, pc.connectionState);
      };
      pc.oniceconnectionstatechange = () => {
        clearTimeout(this.disconnectTimer);
        if (pc.iceConnectionState === "failed") this.restartIce();
        if (pc.iceConnectionState === "disconnected") {
          this.disconnectTimer = setTimeout(() => {
            if (pc.iceConnectionState === "disconnected") this.restartIce();
          }, ICE_DISCONNECTED_RESTART_MS);
        }
      };
    }

    // The side that discovers a peer already in the room offers first; the other answers on demand.
    startAsInitiator() {
      const tracks = this.localTracks();
      for (const kind of ["audio", "video"]) {
        const track = tracks[kind];
        this.pc.addTransceiver(track || kind, {
          direction: track ? "sendrecv" : "recvonly",
          streams: this.localStream() ? [this.localStream()] : [],
        });
      }
    }

    restartIce() {
      if (!this.closed && this.pc.signalingState !== "closed") this.pc.restartIce();
    }

    handle(message) {
      this.chain = this.chain
        .then(() => this.process(message))
        .catch((error) => console.warn("room: signalling message failed", message.type, error));
      return this.chain;
    }

    async process(message) {
      if (this.closed) return;
      const pc = this.pc;
      if (message.type === "ice") {
        if (!pc.remoteDescription) {
          this.pendingCandidates.push(message.candidate);
          return;
        }
        try {
          await pc.addIceCandidate(message.candidate || undefined);
        } catch (error) {
          if (!this.ignoreOffer) throw error;
        }
        return;
      }
      const description = { type: message.type, sdp: message.sdp };
      const readyForOffer = !this.makingOffer && (pc.signalingState === "stable" || this.settingRemoteAnswer);
      const offerCollision = description.type === "offer" && !readyForOffer;
      this.ignoreOffer = !this.polite && offerCollision;
      if (this.ignoreOffer) return;
      this.settingRemoteAnswer = description.type === "answer";
      await pc.setRemoteDescription(description);
      this.settingRemoteAnswer = false;
      if (description.type === "offer") {
        await this.syncSenders();
        await pc.setLocalDescription();
        this.send({ type: "answer", to: this.peerId, sdp: pc.localDescription.sdp });
      }
      await this.flushCandidates();
    }

    async flushCandidates() {
      const queued = this.pendingCandidates;
      this.pendingCandidates = [];
      for (const candidate of queued) {
        try {
          await this.pc.addIceCandidate(candidate || undefined);
        } catch (error) {
          // Candidates of an offer that glare discarded belong to no description: dropping them is correct.
          console.debug("room: queued candidate dropped", error);
        }
      }
    }

    // Puts the current local tracks on one transceiver per kind; replaceTrack needs no renegotiation, a direction
    // change (e.g. a camera-less member starting a screen share) renegotiates through onnegotiationneeded.
    async syncSenders() {
      const tracks = this.localTracks();
      for (const kind of ["audio", "video"]) {
        const candidates = this.pc
          .getTransceivers()
          .filter((t) => !t.stopped && t.currentDirection !== "stopped" && t.receiver.track.kind === kind)
          .sort((a, b) => (a.mid === null) - (b.mid === null));
        if (candidates.length === 0) continue;
        const [primary, ...extra] = candidates;
        const track = tracks[kind] || null;
        if (primary.sender.track !== track) await primary.sender.replaceTrack(track);
        if (track && this.localStream()) primary.sender.setStreams(this.localStream());
        const direction = track ? "sendrecv" : "recvonly";
        if (primary.direction !== direction) primary.direction = direction;
        for (const transceiver of extra) {
          // Left over from glare: a transceiver never negotiated can go; a negotiated one just stops sending.
          if (transceiver.mid === null) transceiver.stop();
          else if (transceiver.sender.track) {
            await transceiver.sender.replaceTrack(null);
            transceiver.direction = "recvonly";
          }
        }
      }
    }

    async stats() {
      const report = await this.pc.getStats();
      let rttMs = null;
      let packetsLost = 0;
      let packetsReceived = 0;
      let bytesReceived = 0;
      let bytesSent = 0;
      let framesDecoded = 0;
      let selectedPairId = null;
      report.forEach((entry) => {
        if (entry.type === "transport" && entry.selectedCandidatePairId) selectedPairId = entry.selectedCandidatePairId;
      });
      report.forEach((entry) => {
        if (entry.type === "candidate-pair") {
          const selected = selectedPairId ? entry.id === selectedPairId : entry.nominated && entry.state === "succeeded";
          if (selected && entry.currentRoundTripTime !== undefined) rttMs = Math.round(entry.currentRoundTripTime * 1000);
        } else if (entry.type === "inbound-rtp") {
          packetsLost += entry.packetsLost || 0;
          packetsReceived += entry.packetsReceived || 0;
          bytesReceived += entry.bytesReceived || 0;
          if (entry.kind === "video") framesDecoded += entry.framesDecoded || 0;
        } else if (entry.type === "outbound-rtp") {
          bytesSent += entry.bytesSent || 0;
        }
      });
      const now = performance.now();
      const previous = this.statsBaseline;
      this.statsBaseline = { now, packetsLost, packetsReceived, bytesReceived, bytesSent };
      if (!previous) return { rttMs, lossPct: null, kbpsIn: null, kbpsOut: null, framesDecoded };
      const seconds = Math.max((now - previous.now) / 1000, 0.001);
      const lost = Math.max(packetsLost - previous.packetsLost, 0);
      const received = Math.max(packetsReceived - previous.packetsReceived, 0);
      return {
        rttMs,
        lossPct: lost + received > 0 ? Math.round((1000 * lost) / (lost + received)) / 10 : 0,
        kbpsIn: Math.round(((bytesReceived - previous.bytesReceived) * 8) / seconds / 1000),
        kbpsOut: Math.round(((bytesSent - previous.bytesSent) * 8) / seconds / 1000),
        framesDecoded,
      };
    }

    close() {
      this.closed = true;
      clearTimeout(this.disconnectTimer);
      clearTimeout(this.leaveTimer);
      this.pc.close();
      for (const track of this.remoteStream.getTracks()) track.stop();
    }
  }

  function qualityLevel({ rttMs, lossPct }) {
    if (rttMs === null && lossPct === null) return "unknown";
    if ((rttMs ?? 0) > 400 || (lossPct ?? 0) > 8) return "poor";
    if ((rttMs ?? 0) > 150 || (lossPct ?? 0) > 2) return "fair";
    return "good";
  }

  // --- recording ------------------------------------------------------------------------------------------------

  // Records a composite of every visible video tile plus a mix of all audio, in the mentor's browser, and uploads
  // each timeslice as soon as it exists (in order, retried), so a closed tab loses at most the last few seconds.
  class SessionRecorder {
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

  // --- the Alpine component -----------------------------------------------------------------------------------

  function sessionRoom() {
    // Media objects live outside Alpine's reactive proxies (proxied RTCPeerConnections throw on method calls).
    const links = new Map();
    const videoElements = new Map();
    let config = null;
    let socket = null;
    let localStream = null;
    let cameraTrack = null;
    let microphoneTrack = null;
    let screenTrack = null;
    let recorder = null;
    let statsTimer = null;
    let pingTimer = null;
    let previewReady = Promise.resolve();

    return {
      phase: "lobby",
      t: {},
      isMentor: false,
      canTip: false,
      devicesAvailable: { camera: false, microphone: false },
      cameras: [],
      microphones: [],
      cameraId: "",
      microphoneId: "",
      deviceMode: "video",
      deviceProblem: "",
      consent: false,
      consentNeeded: false,
      consented: false,
      consentPrompt: false,
      mediaBeforePrompt: null,
      joinError: "",
      mediaMode: "video",
      roomMode: "mesh",
      audioOn: true,
      videoOn: true,
      screenOn: false,
      connection: "idle",
      peers: [],
      messages: [],
      draft: "",
      chatError: "",
      quality: { level: "unknown", rttMs: null, lossPct: null, kbpsIn: null, kbpsOut: null },
      recording: { active: false, required: false, recordingId: null, startedBy: null, uploadError: false },
      wantRecording: false,
      notice: "",
      refusal: "",
      myPeerId: "",

      init() {
        config = JSON.parse(document.getElementById("room-config").textContent);
        this.t = config.strings;
        this.isMentor = config.user.isMentor;
        this.canTip = config.user.canTip;
        this.recording.required = config.recordingRequired;
        this.consentNeeded = config.consentNeeded;
        this.consented = config.user.consented;
        window.addEventListener("pagehide", () => this.leave({ navigating: true }));
        if (navigator.mediaDevices) navigator.mediaDevices.addEventListener("devicechange", () => this.listDevices());
        previewReady = this.preparePreview();
      },

      // --- lobby: devices and preview ---

      async listDevices() {
        if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return [];
        const devices = await navigator.mediaDevices.enumerateDevices();
        this.cameras = devices.filter((d) => d.kind === "videoinput").map((d, i) => ({ id: d.deviceId, label: d.label || `${this.t.camera} ${i + 1}` }));
        this.microphones = devices.filter((d) => d.kind === "audioinput").map((d, i) => ({ id: d.deviceId, label: d.label || `${this.t.microphone} ${i + 1}` }));
        this.devicesAvailable = { camera: this.cameras.length > 0, microphone: this.microphones.length > 0 };
        return devices;
      },

      async preparePreview() {
        if (!navigator.mediaDevices || !window.RTCPeerConnection) {
          this.deviceMode = "chat";
          this.deviceProblem = this.t.unsupportedBrowser;
          return;
        }
        await this.listDevices();
        await this.openDevices();
      },

      async openDevices() {
        this.stopLocalTracks();
        this.deviceProblem = "";
        const wantVideo = this.devicesAvailable.camera;
        const wantAudio = this.devicesAvailable.microphone;
        if (!wantAudio) {
          this.deviceMode = "chat";
          this.deviceProblem = this.t.noMicrophone;
          this.attachLocalPreview();
          return;
        }
        const audio = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
        if (this.microphoneId) audio.deviceId = { exact: this.microphoneId };
        const video = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30, max: 30 } };
        if (this.cameraId) video.deviceId = { exact: this.cameraId };
        try {
          localStream = await navigator.mediaDevices.getUserMedia({ audio, video: wantVideo ? video : false });
        } catch (error) {
          if (error.name === "NotAllowedError" || error.name === "SecurityError") {
            this.deviceMode = "chat";
            this.deviceProblem = this.t.permissionDenied;
            return;
          }
          if (wantVideo && ["NotFoundError", "NotReadableError", "OverconstrainedError", "AbortError"].includes(error.name)) {
            // The camera is missing or busy: fall back to audio only.
            try {
              localStream = await navigator.mediaDevices.getUserMedia({ audio });
            } catch (audioError) {
              this.deviceMode = "chat";
              this.deviceProblem = audioError.name === "NotAllowedError" ? this.t.permissionDenied : this.t.noMicrophone;
              return;
            }
          } else {
            this.deviceMode = "chat";
            this.deviceProblem = error.name === "NotReadableError" ? this.t.deviceBusy : this.t.noMicrophone;
            return;
          }
        }
        microphoneTrack = localStream.getAudioTracks()[0] || null;
        cameraTrack = localStream.getVideoTracks()[0] || null;
        this.deviceMode = cameraTrack ? "video" : "audio";
        if (!cameraTrack) this.deviceProblem = this.t.noCamera;
        if (microphoneTrack) this.microphoneId = microphoneTrack.getSettings().deviceId || this.microphoneId;
        if (cameraTrack) this.cameraId = cameraTrack.getSettings().deviceId || this.cameraId;
        // Labels are only readable once permission is granted.
        await this.listDevices();
        this.attachLocalPreview();
      },

      attachLocalPreview() {
        const video = this.$refs.localVideo;
        if (!video) return;
        const shown = screenTrack || (this.sendsVideo() ? cameraTrack : null);
        video.srcObject = shown ? new MediaStream([shown]) : null;
      },

      stopLocalTracks() {
        for (const track of [cameraTrack, microphoneTrack]) if (track) track.stop();
        cameraTrack = null;
        microphoneTrack = null;
        localStream = null;
      },

      async chooseDevice(kind, deviceId) {
        if (kind === "camera") this.cameraId = deviceId;
        else this.microphoneId = deviceId;
        if (this.phase === "lobby") {
          previewReady = this.openDevices();
          await previewReady;
          return;
        }
        try {
          const constraints = kind === "camera" ? { video: { deviceId: { exact: deviceId } } } : { audio: { deviceId: { exact: deviceId } } };
          const stream = await navigator.mediaDevices.getUserMedia(constraints);
          const track = kind === "camera" ? stream.getVideoTracks()[0] : stream.getAudioTracks()[0];
          const previous = kind === "camera" ? cameraTrack : microphoneTrack;
          track.enabled = kind === "camera" ? this.videoOn : this.audioOn;
          if (!localStream) localStream = new MediaStream();
          if (previous) localStream.removeTrack(previous);
          localStream.addTrack(track);
          if (kind === "camera") cameraTrack = track;
          else microphoneTrack = track;
          await this.syncAllSenders();
          if (previous) previous.stop();
          if (recorder && kind === "microphone") recorder.addAudioTrack(track);
          this.attachLocalPreview();
        } catch (error) {
          this.notice = this.t.deviceSwitchFailed;
        }
      },

      // --- joining ---

      async join() {
        this.joinError = "";
        const asking = this.consentNeeded && !this.consented;
        if (asking && !this.consent) {
          this.joinError = this.t.consentRequired;
          return;
        }
        mark("room:join");
        this.phase = "joining";
        try {
          // Joining before the camera and microphone are open would connect without them.
          const [agreed] = await Promise.all([asking ? this.sendConsent() : true, previewReady]);
          if (!agreed) throw new Error("consent not saved");
        } catch (error) {
          this.phase = "lobby";
          this.joinError = this.t.joinFailed;
          return;
        }
        this.audioOn = Boolean(microphoneTrack);
        this.videoOn = Boolean(cameraTrack);
        const scheme = window.location.protocol === "https:" ? "wss" : "ws";
        const url = `${scheme}://${window.location.host}${config.urls.socket}?peer=${newClientToken()}`;
        socket = new SignallingSocket(url, {
          onMessage: (message) => this.onMessage(message),
          onStatus: (status) => {
            this.connection = status;
          },
          onRefused: (code) => this.onRefused(code),
        });
        socket.open();
      },

      onRefused(code) {
        const key = REFUSAL_CODES[code];
        if (key === "ended") {
          this.finish();
          return;
        }
        if (key === "refusedConsent") {
          // Recording started since this page loaded: ask, then connect once agreed.
          this.consentNeeded = true;
          this.consented = false;
          if (this.phase === "live") {
            this.askConsent();
          } else {
            socket = null;
            this.phase = "lobby";
            this.joinError = this.t.consentRequired;
          }
          return;
        }
        this.refusal = this.t[key] || this.t.refusedNotMember;
        this.phase = "refused";
        this.teardown();
      },

      onMessage(message) {
        const handler = {
          welcome: () => this.onWelcome(message),
          peer_joined: () => this.upsertPeer(message.peer),
          peer_left: () => this.onPeerLeft(message),
          peer_media: () => this.updatePeer(message.peer_id, { audio: message.audio, video: message.video }),
          peer_screen: () => this.updatePeer(message.peer_id, { screen: message.on }),
          offer: () => this.relayToLink(message),
          answer: () => this.relayToLink(message),
          ice: () => this.relayToLink(message),
          chat: () => this.addMessage(message.message),
          recording: () => this.onRecordingState(message),
          ended: () => this.finish(),
          error: () => this.onServerError(message),
        }[message.type];
        if (handler) handler();
      },

      onWelcome(message) {
        const firstWelcome = this.phase !== "live";
        this.phase = "live";
        this.myPeerId = message.peer_id;
        this.roomMode = message.room_mode;
        this.mediaMode = message.media_mode;
        if (this.mediaMode !== "video" && cameraTrack) cameraTrack.enabled = false;
        this.messages = message.history;
        this.scrollChat();
        const present = new Set(message.peers.map((peer) => peer.peer_id));
        for (const [peerId, link] of links) {
          if (!present.has(peerId)) this.dropPeer(peerId);
          else if (["failed", "disconnected"].includes(link.pc.connectionState)) link.restartIce();
        }
        this.peers = this.peers.filter((peer) => present.has(peer.peerId));
        for (const peer of message.peers) {
          this.upsertPeer(peer);
          if (!links.has(peer.peer_id)) this.createLink(peer.peer_id, { initiator: true });
        }
        this.sendMediaState();
        if (this.screenOn) socket.send({ type: "screen", on: true });
        this.onRecordingState(message.recording);
        if (firstWelcome) {
          this.attachLocalPreview();
          clearInterval(statsTimer);
          clearInterval(pingTimer);
          statsTimer = setInterval(() => this.collectStats(), STATS_INTERVAL_MS);
          pingTimer = setInterval(() => socket && socket.send({ type: "ping" }), PING_INTERVAL_MS);
        }
        if (this.isMentor && this.recording.required) this.wantRecording = true;
        this.reconcileRecording();
      },

      onServerError(message) {
        if (message.code === "rate_limited") this.notice = this.t.rateLimited;
        else if (message.code === "chat_rejected") this.chatError = message.detail || this.t.chatRejected;
        else if (message.detail) this.notice = message.detail;
      },

      // --- peers ---

      sendsVideo() {
        return this.mediaMode === "video" && this.deviceMode === "video";
      },

      localTracks() {
        const video = screenTrack || (this.sendsVideo() ? cameraTrack : null);
        return { audio: this.deviceMode === "chat" ? null : microphoneTrack, video };
      },

      // Peer ids are unique and both sides compare the same pair, so exactly one of them is polite.
      polite(peerId) {
        return this.myPeerId < peerId;
      },

      createLink(peerId, { initiator }) {
        const link = new PeerLink({
          peerId,
          polite: this.polite(peerId),
          rtcConfig: { iceServers: config.iceServers, bundlePolicy: "max-bundle", rtcpMuxPolicy: "require" },
          send: (message) => socket && socket.send(message),
          localTracks: () => this.localTracks(),
          localStream: () => localStream,
          onTrack: (peerLink, track) => {
            this.bindPeerMedia(peerLink.peerId);
            if (recorder && track.kind === "audio") recorder.addAudioTrack(track);
          },
          onState: (peerLink, state) => this.updatePeer(peerLink.peerId, { state }),
        });
        links.set(peerId, link);
        if (initiator) link.startAsInitiator();
        return link;
      },

      relayToLink(message) {
        let link = links.get(message.from);
        if (!link) {
          if (message.type !== "offer" && message.type !== "ice") return;
          link = this.createLink(message.from, { initiator: false });
        }
        link.handle(message);
      },

      upsertPeer(peer) {
        const existing = this.peers.find((p) => p.peerId === peer.peer_id);
        const fields = {
          peerId: peer.peer_id,
          name: peer.name,
          isMentor: peer.is_mentor,
          audio: peer.audio,
          video: peer.video,
          screen: peer.screen,
          mediaMode: peer.media_mode,
        };
        if (existing) {
          Object.assign(existing, fields);
          const link = links.get(peer.peer_id);
          if (link) clearTimeout(link.leaveTimer);
        } else {
          this.peers.push({ ...fields, state: "new", frames: false, quality: "unknown", away: false });
        }
        this.updatePeer(peer.peer_id, { away: false });
      },

      updatePeer(peerId, fields) {
        const peer = this.peers.find((p) => p.peerId === peerId);
        if (peer) Object.assign(peer, fields);
      },

      onPeerLeft(message) {
        const link = links.get(message.peer_id);
        if (message.reason === "lost" && link) {
          // A dropped socket is not a departure: the media path may be fine and the peer usually comes back.
          this.updatePeer(message.peer_id, { away: true });
          clearTimeout(link.leaveTimer);
          link.leaveTimer = setTimeout(() => this.dropPeer(message.peer_id), PEER_RETURN_GRACE_MS);
          return;
        }
        this.dropPeer(message.peer_id);
      },

      dropPeer(peerId) {
        const link = links.get(peerId);
        if (link) link.close();
        links.delete(peerId);
        videoElements.delete(peerId);
        this.peers = this.peers.filter((p) => p.peerId !== peerId);
      },

      // x-effect on each tile's <video>: (re)binds the peer's remote stream.
      bindVideo(element, peerId) {
        videoElements.set(peerId, element);
        this.bindPeerMedia(peerId);
      },

      bindPeerMedia(peerId) {
        const link = links.get(peerId);
        const video = videoElements.get(peerId);
        if (!link || !video) return;
        if (video.srcObject !== link.remoteStream) video.srcObject = link.remoteStream;
        const audio = video.parentElement && video.parentElement.querySelector("audio");
        if (audio && audio.srcObject !== link.remoteStream) {
          audio.srcObject = link.remoteStream;
          audio.play().catch(() => {
            this.notice = this.t.clickForSound;
          });
        }
        video.play().catch(() => {});
        if (video.requestVideoFrameCallback && !video.dataset.frameWatch) {
          video.dataset.frameWatch = "1";
          video.requestVideoFrameCallback(() => {
            mark("room:first-frame");
            this.updatePeer(peerId, { frames: true });
          });
        }
      },

      async syncAllSenders() {
        await Promise.all([...links.values()].map((link) => link.syncSenders()));
      },

      // --- local controls ---

      sendMediaState() {
        if (!socket) return;
        socket.send({ type: "media", audio: this.audioOn && Boolean(microphoneTrack) && this.deviceMode !== "chat", video: this.videoOn && this.sendsVideo() });
      },

      toggleAudio() {
        if (!microphoneTrack || this.consentPrompt) return;
        this.audioOn = !this.audioOn;
        microphoneTrack.enabled = this.audioOn;
        this.sendMediaState();
      },

      toggleVideo() {
        if (!cameraTrack || !this.sendsVideo() || this.consentPrompt) return;
        this.videoOn = !this.videoOn;
        cameraTrack.enabled = this.videoOn;
        this.sendMediaState();
      },

      canShareScreen() {
        return Boolean(navigator.mediaDevices && navigator.mediaDevices.getDisplayMedia) && (this.mediaMode === "video" || this.isMentor);
      },

      async toggleScreenShare() {
        if (this.screenOn) {
          await this.stopScreenShare();
          return;
        }
        try {
          const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false });
          screenTrack = stream.getVideoTracks()[0];
          screenTrack.contentHint = "detail";
          screenTrack.addEventListener("ended", () => this.stopScreenShare());
          this.screenOn = true;
          await this.syncAllSenders();
          this.attachLocalPreview();
          socket.send({ type: "screen", on: true });
        } catch (error) {
          if (error.name !== "NotAllowedError") this.notice = this.t.screenShareFailed;
        }
      },

      async stopScreenShare() {
        if (!screenTrack) return;
        const track = screenTrack;
        screenTrack = null;
        this.screenOn = false;
        await this.syncAllSenders();
        track.stop();
        this.attachLocalPreview();
        if (socket) socket.send({ type: "screen", on: false });
      },

      // --- chat ---

      sendChat() {
        const text = this.draft.trim();
        this.chatError = "";
        if (!text) return;
        if (text.length > config.chatMaxLength) {
          this.chatError = this.t.chatTooLong;
          return;
        }
        socket.send({ type: "chat", text });
        this.draft = "";
      },

      addMessage(message) {
        if (this.messages.some((m) => m.id === message.id)) return;
        this.messages.push(message);
        this.scrollChat();
      },

      scrollChat() {
        this.$nextTick(() => {
          const log = this.$refs.chatLog;
          if (log) log.scrollTop = log.scrollHeight;
        });
      },

      canReport(message) {
        // Another member's typed message (the peer id is "<room pseudonym>.<connection>").
        return message.kind === "text" && message.sender !== "" && message.sender !== this.myPeerId.split(".")[0];
      },

      reportUrl(message) {
        return `${config.urls.report}?message=${message.id}`;
      },

      formatTime(iso) {
        // 24-hour like every other time in the app, whatever the language's habit ("01:04 PM" in English).
        return new Date(iso).toLocaleTimeString(document.documentElement.lang || undefined, {
          hour: "2-digit",
          minute: "2-digit",
          hourCycle: "h23",
          timeZone: config.user.timeZone,
        });
      },

      // --- recording ---

      async sendConsent() {
        const response = await fetch(config.urls.consent, {
          method: "POST",
          headers: { "X-CSRFToken": config.csrfToken },
          credentials: "same-origin",
        });
        if (response.ok) this.consented = true;
        return response.ok;
      },

      // Recording started while this member is in the room without having agreed: their camera and microphone go
      // off until they agree (or leave).
      askConsent() {
        if (this.consentPrompt) return;
        this.consentPrompt = true;
        this.mediaBeforePrompt = { audio: this.audioOn, video: this.videoOn };
        this.setOwnMedia({ audio: false, video: false });
        this.$nextTick(() => this.$refs.consentAgree && this.$refs.consentAgree.focus());
      },

      async agreeToRecording() {
        this.notice = "";
        let agreed = false;
        try {
          agreed = await this.sendConsent();
        } catch (error) {
          agreed = false;
        }
        if (!agreed) {
          this.notice = this.t.consentFailed;
          return;
        }
        this.consentPrompt = false;
        this.setOwnMedia(this.mediaBeforePrompt || { audio: this.audioOn, video: this.videoOn });
        this.mediaBeforePrompt = null;
        if (socket && socket.stopped) socket.open();
      },

      setOwnMedia({ audio, video }) {
        this.audioOn = Boolean(audio && microphoneTrack);
        this.videoOn = Boolean(video && cameraTrack);
        if (microphoneTrack) microphoneTrack.enabled = this.audioOn;
        if (cameraTrack) cameraTrack.enabled = this.videoOn;
        this.sendMediaState();
      },

      onRecordingState(state) {
        if (state.active && !this.consented && this.phase === "live") {
          this.consentNeeded = true;
          this.askConsent();
        }
        this.recording.active = state.active;
        this.recording.recordingId = state.recording_id;
        this.recording.startedBy = state.started_by;
        if (state.required !== undefined) this.recording.required = state.required;
        this.reconcileRecording();
      },

      toggleRecording() {
        if (!this.isMentor) return;
        if (this.recording.active) {
          if (this.recording.required) return;
          this.wantRecording = false;
          socket.send({ type: "record", action: "stop" });
        } else {
          this.wantRecording = true;
          // Starting the recording is the mentor's own agreement (the server records it too).
          this.consented = true;
          socket.send({ type: "record", action: "start" });
        }
      },

      // Keeps the local MediaRecorder on the recording the server says is active (one file per recorder run).
      async reconcileRecording() {
        if (!this.isMentor || this.phase !== "live") return;
        const serverId = this.recording.active && this.recording.startedBy === config.user.id ? this.recording.recordingId : null;
        if (recorder && recorder.recordingId !== serverId) {
          const stopping = recorder;
          recorder = null;
          await stopping.stop();
        }
        if (serverId && !recorder) {
          recorder = new SessionRecorder({
            recordingId: serverId,
            uploadUrl: config.urls.recordingChunk.replace("__id__", String(serverId)),
            csrfToken: config.csrfToken,
            tiles: () => [this.$refs.localVideo, ...videoElements.values()].filter(Boolean),
            audioTracks: () => [microphoneTrack, ...[...links.values()].flatMap((l) => l.remoteStream.getAudioTracks())],
            onError: () => {
              this.recording.uploadError = true;
            },
          });
        } else if (!this.recording.active && this.wantRecording && socket) {
          socket.send({ type: "record", action: "start" });
        }
      },

      // --- quality ---

      async collectStats() {
        let worst = { level: "unknown", rttMs: null, lossPct: null, kbpsIn: 0, kbpsOut: 0 };
        const order = { unknown: 0, good: 1, fair: 2, poor: 3 };
        for (const [peerId, link] of links) {
          try {
            const stats = await link.stats();
            const level = qualityLevel(stats);
            this.updatePeer(peerId, { quality: level, rttMs: stats.rttMs, lossPct: stats.lossPct, framesDecoded: stats.framesDecoded });
            worst.kbpsIn += stats.kbpsIn || 0;
            worst.kbpsOut += stats.kbpsOut || 0;
            if (order[level] >= order[worst.level]) worst = { ...worst, level, rttMs: stats.rttMs, lossPct: stats.lossPct };
          } catch (error) {
            console.debug("room: stats unavailable", error);
          }
        }
        this.quality = worst;
      },

      qualityLabel() {
        return this.t[`quality_${this.quality.level}`];
      },

      qualityDetail() {
        const q = this.quality;
        return `${q.rttMs} ms · ${q.lossPct ?? 0}% · ↓${q.kbpsIn} ↑${q.kbpsOut} kbps`;
      },

      // --- leaving and ending ---

      endSession() {
        if (!this.isMentor || !socket) return;
        if (!window.confirm(this.t.confirmEnd)) return;
        socket.send({ type: "end" });
      },

      async leave({ navigating = false } = {}) {
        if (socket && socket.ready) socket.send({ type: "leave" });
        if (recorder) {
          if (navigating) recorder.flush({ keepalive: true });
          else await recorder.stop();
          recorder = null;
        }
        this.teardown();
        if (!navigating) window.location.assign(config.urls.afterLeave);
      },

      async finish() {
        if (recorder) {
          const stopping = recorder;
          recorder = null;
          await stopping.stop();
        }
        this.teardown();
        this.phase = "ended";
      },

      teardown() {
        clearInterval(statsTimer);
        clearInterval(pingTimer);
        if (socket) socket.close();
        socket = null;
        for (const peerId of [...links.keys()]) this.dropPeer(peerId);
        if (screenTrack) screenTrack.stop();
        screenTrack = null;
        this.stopLocalTracks();
      },
    };
  }

  document.addEventListener("alpine:init", () => {
    window.Alpine.data("sessionRoom", sessionRoom);
  });
})();
