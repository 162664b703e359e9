"""Settings from the environment, with a dev default for everything but production secrets."""
import os
import secrets
from datetime import timedelta
from pathlib import Path

from argon2 import profiles

LOCAL_ENVS = ("development", "demo")  # may generate their own secret key; cookies without Secure (plain http)


class SettingsError(SystemExit):
    """A setting the portal cannot start without: the message is the one line printed."""


def _data_dir() -> Path:
    return Path(os.environ.get("PORTAL_DATA_DIR", "instance")).resolve()


def _secret_key(data_dir: Path, env: str) -> str:
    """PORTAL_SECRET_KEY; in development and demo, else a random key generated once and kept
    under the data dir (elsewhere every host must share one key, so it must be set)."""
    if key := os.environ.get("PORTAL_SECRET_KEY"):
        return key
    if env not in LOCAL_ENVS:
        raise SettingsError(f"Partnerhouse will not start: PORTAL_SECRET_KEY is not set (PORTAL_ENV is {env!r}).")
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _flag(name: str) -> bool:
    value = os.environ.get(name, "0")
    if value not in ("0", "1"):
        raise SettingsError(f"Partnerhouse will not start: {name} must be 0 or 1, not {value!r}.")
    return value == "1"


def from_env() -> dict:
    data_dir = _data_dir()
    env = os.environ.get("PORTAL_ENV", "development")
    dev = env in LOCAL_ENVS
    return {
        "DATA_DIR": str(data_dir),
        "SECRET_KEY": _secret_key(data_dir, env),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "PORTAL_DATABASE_URL", f"sqlite:///{data_dir / 'portal.db'}"
        ),
        # Files (portal/storage.py): unset or file: is the files/ folder of the data dir;
        # s3://bucket/prefix a bucket, at PORTAL_S3_ENDPOINT_URL unless it is AWS S3. boto3
        # reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_DEFAULT_REGION itself.
        "STORAGE_URL": os.environ.get("PORTAL_STORAGE_URL", ""),
        "S3_ENDPOINT_URL": os.environ.get("PORTAL_S3_ENDPOINT_URL") or None,
        "S3_PRESIGNED_DOWNLOADS": _flag("PORTAL_S3_PRESIGNED_DOWNLOADS"),
        "SEARCH_BACKEND": os.environ.get("PORTAL_SEARCH_BACKEND", ""),  # whoosh | postgres; "": by the database
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": not dev,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": not dev,
        "REMEMBER_COOKIE_DURATION": timedelta(days=14),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "MAX_CONTENT_LENGTH": int(os.environ.get("PORTAL_MAX_UPLOAD_MB", "50")) * 1024 * 1024,
        # A text field of up to 2 MB reaches the form, whose length limit answers 422 with the
        # field's message (Flask's 500 kB default answers 413, as if a file were too large).
        "MAX_FORM_MEMORY_SIZE": 2 * 1024 * 1024,
        "BASE_URL": os.environ.get("PORTAL_BASE_URL", "").rstrip("/"),  # unset: the request's host (web.urls)
        "PROXY_HOPS": int(os.environ.get("PORTAL_PROXY_HOPS", "0")),  # trusted proxies in front (X-Forwarded-*)
        "MAIL_FROM": os.environ.get("PORTAL_MAIL_FROM", "partnerhouse@localhost"),
        "SMTP_HOST": os.environ.get("PORTAL_SMTP_HOST", ""),
        "SMTP_PORT": int(os.environ.get("PORTAL_SMTP_PORT", "25")),
        "REDIS_URL": os.environ.get("PORTAL_REDIS_URL", ""),  # unset: jobs run inline (portal/jobs.py)
        # argon2id cost; deliberately not read from the environment (tests pass a cheaper one)
        "PASSWORD_HASH_PARAMETERS": profiles.RFC_9106_LOW_MEMORY,
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": 5,
        "LOGIN_MAX_FAILURES_PER_IP": 20,
        "LOGIN_THROTTLE_WINDOW": timedelta(minutes=15),
        # Applications to join (public): per IP address and per email domain, in the window.
        "APPLY_MAX_PER_IP": 10,
        "APPLY_MAX_PER_DOMAIN": 3,
        "APPLY_THROTTLE_WINDOW": timedelta(hours=1),
        "INVITE_MAX_AGE": timedelta(days=7),
        "RESET_MAX_AGE": timedelta(hours=1),
        "PAGE_SIZE": 25,
        "DEAL_PROTECTION_DAYS": int(os.environ.get("PORTAL_DEAL_PROTECTION_DAYS", "90")),
    }
