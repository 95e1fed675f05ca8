"""The production static files storage: hashed (nginx caches them as immutable) and compressed, with the imports
between our ES modules (the room's scripts under static/js/room/) rewritten to the hashed names too, so a deploy
never pairs a new module with a cached old one it imports."""

from django.contrib.staticfiles.storage import HashedFilesMixin
from whitenoise.storage import CompressedManifestStaticFilesStorage

# Django's import-rewriting patterns, applied to our own modules only: turned on for every *.js file
# (``support_js_module_import_aggregation``) they also rewrite vendored scripts, whose imports point elsewhere.
_, _MODULE_IMPORT_PATTERNS = HashedFilesMixin._js_module_import_aggregation_patterns  # type: ignore[attr-defined]  # private, not in the stubs


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    patterns = (*CompressedManifestStaticFilesStorage.patterns, ("js/room/*.js", _MODULE_IMPORT_PATTERNS))
