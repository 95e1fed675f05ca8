"""Messages between a student and a mentor: one thread per pair.

A student may ask a listed mentor a question before booking; after a booking both may write. In a thread with a
minor, contact details are hidden (``sessions_app.chat_safety``) and the minor's guardian (a signed-in user whose
verified address is the one on the granted consent) can read the thread. Staff read a thread only through a
moderation report about one of its messages (``adminpanel``). The mentor's first reply to a new thread or to a
booking's questions is what the public response time measures (``selectors.mentor_response_time_minutes``).
"""
