"""Notifications: the kinds registry, raising, delivery (in-app push, email, SMS, guardian copies) and the inbox.

Other apps register their kinds in ``AppConfig.ready`` (``notification_kind_register``) and raise them with
``accounts.services.notification_raise``; ``accounts`` imports none of them.
"""
