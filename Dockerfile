# tiji: one image for every process (web, worker, dingtalk-stream); choose with the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 TIJI_DATA_DIR=/data TIJI_HOST=0.0.0.0
WORKDIR /app

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY models ./models
COPY templates ./templates
COPY examples ./examples
# Editable: the code reads templates/ beside the packages.
RUN pip install --no-cache-dir -e . && useradd --system --home /data tiji && mkdir -p /data && chown tiji /data

USER tiji
VOLUME /data
EXPOSE 8080
# Run `tiji migrate` once per deploy (not in every process), then start the processes:
#   docker run … tiji serve | tiji worker | tiji dingtalk-stream
CMD ["tiji", "serve"]
