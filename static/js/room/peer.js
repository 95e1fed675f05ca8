// One RTCPeerConnection per remote peer ("mesh"), following the perfect-negotiation pattern: polite/impolite is
// decided by peer id, signalling messages are handled strictly in order (one promise chain per peer) and ICE
// candidates wait until a remote description is set, so glare and reordering cannot deadlock.

import { mark } from "./marks.js";

const ICE_DISCONNECTED_RESTART_MS = 3_000;

export class PeerLink {
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
