// The Alpine component of the live room ("sessionRoom"): lobby, joining, peers, controls, chat, recording,
// quality and leaving. Media objects live in this closure, outside Alpine's reactive proxies.
//
// Page contract: templates/sessions_app/room.html renders the markup with x-data="sessionRoom" and the
// configuration as json_script "room-config" (URLs, ICE servers, user, translated strings, refusal close codes).

import { mark } from "./marks.js";
import { PeerLink } from "./peer.js";
import { STATS_INTERVAL_MS, qualityBarClass, qualityDetail, qualityLevel, worseOrEqual } from "./quality.js";
import { SessionRecorder } from "./recorder.js";
import { PING_INTERVAL_MS, SignallingSocket, newClientToken } from "./socket.js";

const PEER_RETURN_GRACE_MS = 15_000;

export function sessionRoom() {
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
  // Close code → what the page says; the codes come from the server (sessions_app.room.services).
  let refusals = {};

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
      refusals = Object.fromEntries(Object.entries(config.refusalCodes).map(([key, code]) => [code, key]));
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
        refusalCodes: Object.values(config.refusalCodes),
        onMessage: (message) => this.onMessage(message),
        onStatus: (status) => {
          this.connection = status;
        },
        onRefused: (code) => this.onRefused(code),
      });
      socket.open();
    },

    onRefused(code) {
      const key = refusals[code];
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
      for (const [peerId, link] of links) {
        try {
          const stats = await link.stats();
          const level = qualityLevel(stats);
          this.updatePeer(peerId, { quality: level, rttMs: stats.rttMs, lossPct: stats.lossPct, framesDecoded: stats.framesDecoded });
          worst.kbpsIn += stats.kbpsIn || 0;
          worst.kbpsOut += stats.kbpsOut || 0;
          if (worseOrEqual(level, worst.level)) worst = { ...worst, level, rttMs: stats.rttMs, lossPct: stats.lossPct };
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
      return qualityDetail(this.quality);
    },

    qualityBar(bar) {
      return qualityBarClass(this.quality.level, bar);
    },

    hasRoundTrip() {
      return this.quality.rttMs !== null;
    },

    // --- what the template shows (kept here: Alpine's CSP build runs only simple expressions) ---

    connectionLabel() {
      return this.t[this.connection] || "";
    },

    connectionClass() {
      return this.connection === "open" ? "bg-emerald-100 text-emerald-800" : "bg-amber-100 text-amber-900";
    },

    localVideoHidden() {
      return this.deviceMode === "chat" || (!this.screenOn && (!this.videoOn || this.mediaMode !== "video"));
    },

    tipText(message) {
      const amount = "₹" + (message.amount_paise / 100).toLocaleString("en-IN");
      return this.t.tipSent.replace("{name}", message.sender_name).replace("{amount}", amount);
    },

    quoted(text) {
      return "“" + text + "”";
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
