# CNHT Portal application image (production-shaped; used by docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    CNHT_INSTANCE_PATH=/data/instance

RUN groupadd --system cnht && useradd --system --gid cnht --home-dir /app cnht

WORKDIR /app
COPY pyproject.toml setup.py README.md ./
COPY requirements ./requirements
COPY cnht ./cnht
COPY vnsearch ./vnsearch
COPY ingest ./ingest
# A regular install: templates, migrations and the compiled catalogue are package data (setup.py
# compiles the catalogue), so the image runs from site-packages like any wheel.
RUN pip install -c requirements/constraints.txt . && rm -rf /app/cnht /app/vnsearch /app/ingest \
    && mkdir -p /data/instance && chown -R cnht:cnht /data

USER cnht
EXPOSE 8000
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"
CMD ["sh", "-c", "cnht init-db && exec cnht serve --host 0.0.0.0 --port 8000"]
