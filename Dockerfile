# syntax=docker/dockerfile:1
# One image for web (gunicorn), worker and beat (celery); see docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    WELLSCHOOLS_VAR_DIR=/app/var \
    DJANGO_MEDIA_ROOT=/app/var/media \
    DJANGO_STATIC_ROOT=/app/staticfiles

# Pango/HarfBuzz and a font for WeasyPrint; Node only to install the front-end packages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
        nodejs npm \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system app \
    && useradd --system --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, so code changes do not reinstall them.
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY . .

# Static files are collected into the image. The key below exists only for this RUN line,
# so settings do not write a generated key file into the image; the real key comes from
# the environment at run time (docker-compose.yml requires DJANGO_SECRET_KEY).
RUN DJANGO_SECRET_KEY=build-time-only-not-a-secret-build-time-only-not-a-secret \
    python manage.py collectstatic --noinput -v0 \
    && mkdir -p /app/var/media \
    && chown -R app:app /app/var

USER app

EXPOSE 8000

CMD ["gunicorn", "wellschools.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
