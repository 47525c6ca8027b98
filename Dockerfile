# syntax=docker/dockerfile:1
# One image for web (daphne), worker, beat and the migrate step (docker-compose.yml).
#
# The base is an exact patch release, never a moving tag. Pin it by digest as
# well where you build (docs/operations.md, "The image"):
#   docker build --build-arg PYTHON_IMAGE=python:3.11.14-slim-bookworm@sha256:<digest> .
# Both stages use the same base, so the wheels built in the first fit the second.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

# --- builder: compilers, wheels, collected static files --------------------------
FROM ${PYTHON_IMAGE} AS builder

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Compilers for any pinned package without a wheel for this platform. They stay
# in this stage: the image below gets the wheels only.
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
# --no-deps: every package must be pinned in requirements.txt; the install below
# then resolves from these wheels alone and fails on anything unpinned.
RUN pip wheel --no-deps --wheel-dir /wheels -r requirements.txt
RUN pip install --no-index --find-links /wheels -r requirements.txt

COPY . .
# collectstatic needs settings but no real secrets or servers.
RUN DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=build-only ALLOWED_HOSTS=build \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 REDIS_URL=redis://build:6379/0 \
    PLAN_MASTER_KEYS=build:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= STATIC_ROOT=/app/static \
    python manage.py collectstatic --noinput

# --- the image: no compilers, no tests, no tools --------------------------------
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    STATIC_ROOT=/app/static

WORKDIR /app
COPY requirements.txt .
# The wheels are mounted, not copied, so no layer of the image keeps them.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-index --find-links /wheels -r requirements.txt

# .dockerignore keeps out tests/, bench/, the app's npm tooling, the venv and var/.
COPY . .
COPY --from=builder /app/static /app/static

# The code stays root's: the service cannot rewrite itself.
RUN useradd --system --uid 10001 --no-create-home app
# The erasure ledger's volume (docker-compose.yml): an empty named volume takes
# its owner from the image's folder, so the app user can append to it.
RUN mkdir -p /var/lib/crisisnet/erasures && chown app /var/lib/crisisnet/erasures
USER app
EXPOSE 8000

# Liveness for web (docker-compose.yml gives worker and beat checks of their own).
# Plain HTTP from inside: health is exempt from the HTTPS redirect.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
    CMD ["python", "-c", "import os, urllib.request as u; u.urlopen(u.Request('http://127.0.0.1:8000/api/v1/health/live/', headers={'Host': os.environ['ALLOWED_HOSTS'].split(',')[0]}), timeout=2)"]

# No --proxy-headers: daphne would take the client address from the leftmost
# X-Forwarded-For entry, which the client writes. NUM_PROXIES says how many
# proxies to trust (config/edge.py). Verbosity 0: daphne's access log would
# print calendar feed tokens; config.edge.AccessLogMiddleware logs instead.
CMD ["daphne", "-v", "0", "-b", "0.0.0.0", "-p", "8000", "config.asgi:application"]
