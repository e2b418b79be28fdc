# The app as one container: `wmm serve` on port 8501 (deploy/compose.yaml runs several behind nginx).
#
#   docker build -t wmm .
#   docker run -p 8501:8501 -e WMM_ADMIN_PASSWORD=... -e WMM_BASE_URL=http://<this-host>:8501 wmm
#
# Without WMM_DATABASE_URL the container keeps a SQLite file in /app/data (mount a volume there);
# with WMM_DATABASE_URL=postgresql+psycopg://... several containers share one PostgreSQL database.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first (a layer that survives code changes), then the code as an editable install, so
# the questionnaires/ and data/ folders of the checkout are where wmm looks for them.
COPY pyproject.toml README.md ./
RUN mkdir -p assessment scoring \
    && touch assessment/__init__.py scoring/__init__.py \
    && pip install ".[postgres]" \
    && pip uninstall -y work-maturity \
    && rm -rf assessment scoring

COPY assessment ./assessment
COPY scoring ./scoring
COPY questionnaires ./questionnaires
COPY data/demo ./data/demo
COPY app.py ./
COPY .streamlit/config.toml ./.streamlit/config.toml
RUN pip install --no-deps -e . \
    && useradd --create-home --uid 10001 wmm \
    && chown -R wmm:wmm /app/data

USER wmm
EXPOSE 8501
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=2)"

# `wmm serve` checks (or creates) the database, prints the survey link and the login, then serves
# with the settings a room of phones needs (no file watcher, no full GC after every rerun).
CMD ["wmm", "serve", "--port", "8501", "--address", "0.0.0.0"]
