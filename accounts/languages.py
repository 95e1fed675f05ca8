"""The languages PeerLearn starts with (seed 000 §11): phases 1 and 2 active (their interfaces are translated),
later phases present but off."""

INITIAL_LANGUAGES = (
    # code, English name, native name, region, active, sort order
    ("hi", "Hindi", "हिन्दी", "North and Central India", True, 10),
    ("en", "English", "English", "All India", True, 20),
    ("te", "Telugu", "తెలుగు", "Andhra Pradesh, Telangana", True, 30),
    ("ta", "Tamil", "தமிழ்", "Tamil Nadu", True, 40),
    ("bn", "Bengali", "বাংলা", "West Bengal", True, 50),
    ("mr", "Marathi", "मराठी", "Maharashtra", True, 60),
    ("gu", "Gujarati", "ગુજરાતી", "Gujarat", False, 70),
    ("kn", "Kannada", "ಕನ್ನಡ", "Karnataka", True, 80),
    ("ml", "Malayalam", "മലയാളം", "Kerala", False, 90),
    ("pa", "Punjabi", "ਪੰਜਾਬੀ", "Punjab", False, 100),
    ("or", "Odia", "ଓଡ଼ିଆ", "Odisha", False, 110),
    ("es", "Spanish", "Español", "International", False, 120),
    ("fr", "French", "Français", "International", False, 130),
    ("zh", "Chinese", "中文", "International", False, 140),
)
