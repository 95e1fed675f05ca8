// PeerLearn live room: WebRTC mesh between browsers, signalled through a Channels WebSocket.
//
// The media layer is one RTCPeerConnection per remote peer ("mesh", peer.js); the server only signals
// (socket.js). The server decides each member's media mode (video in a small mesh, audio only for participants of a
// larger room), which keeps the upload per browser bounded. The mentor's browser records (recorder.js). Loaded
// as an ES module before Alpine (both deferred, in document order), so the component is registered on alpine:init.

import { sessionRoom } from "./component.js";

document.addEventListener("alpine:init", () => {
  window.Alpine.data("sessionRoom", sessionRoom);
});
