# The two commands of the README: `make run` (the whole app with demo data) and `make test` (the whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run test test-fast lint css messages favicon fonts

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed
	bash deploy/system-packages.sh
	$(PY) -m mentorship.launcher run

test: $(VENV)/.installed
	$(PY) -m mentorship.launcher test $(ARGS)

# The suite without the browser journeys (tests/e2e) and the tests marked slow.
test-fast: $(VENV)/.installed
	$(PY) -m mentorship.launcher test --ignore=tests/e2e -m "not slow" $(ARGS)

# ruff, then mypy with django-stubs (configuration in pyproject.toml; the plugin loads the test settings).
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	PEERLEARN_ENV=test $(VENV)/bin/mypy

# Needs Node; the built CSS is committed so running the app never does.
css:
	npm install --no-save --silent && npx tailwindcss -c tailwind.config.js -i static/src/app.css -o static/css/app.css --minify

# Redraws static/favicon.ico and static/apple-touch-icon.png from the mark in static/src/favicon.py.
favicon: $(VENV)/.installed
	$(PY) static/src/favicon.py

# Redraws static/fonts/ (subsetted Noto Sans Devanagari, Telugu, Tamil, Bengali and Kannada, their @font-face
# sheets and licence) from Debian's fonts-noto-core (apt-get install -y fonts-noto-core).
fonts: $(VENV)/.installed
	$(PY) static/src/fonts.py

# Needs GNU gettext (xgettext); only for updating the catalogues.
messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l hi -l te -l ta -l bn -l mr -l kn --no-obsolete --ignore=.venv --ignore=node_modules --ignore=var
