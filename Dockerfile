# The PeerLearn image for docker-compose.yml: one image, four roles (web, ws, worker, beat) chosen by command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 1000 peerlearn \
    && useradd --system --uid 1000 --gid peerlearn --home-dir /app --shell /usr/sbin/nologin peerlearn

WORKDIR /app

# WeasyPrint renders invoice PDFs with Pango; Noto fonts cover Devanagari, Telugu and the other Indian scripts.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-core \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, so code changes do not reinstall them.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=peerlearn:peerlearn . .

# Mount points of the compose volumes, owned by the app user so that fresh named volumes inherit it.
RUN mkdir -p /app/staticfiles /app/var/media /app/var/private /app/var/beat \
    && chown -R peerlearn:peerlearn /app/staticfiles /app/var

USER peerlearn

# Translations are part of the code: compile them once here (pure Python, no gettext needed).
RUN python manage.py compiletranslations

EXPOSE 8000 8001
CMD ["gunicorn", "--config", "deploy/gunicorn.conf.py", "mentorship.wsgi:application"]
