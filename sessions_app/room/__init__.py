"""The live room and what follows a session: views, services, selectors, forms, urls, periodic tasks, the WebSocket
consumer with its protocol and presence, chat safety, recordings, tips and after-session feedback.

The media layer is peer-to-peer (mesh) in the browser; the server only signals, so swapping it for an SFU above the
mesh limit touches this package and the room's scripts, not booking or payments.
"""
