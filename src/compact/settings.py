"""The one settings module, configured by environment variables.

Variables (see docs/operator-guide.md):
    DATABASE_URL            database, default ``sqlite:///./var/compact.sqlite3``
    COMPACT_SECRET_KEY      secret key; when unset, one is generated once into ``var/secret_key``
    COMPACT_DEBUG           "1"/"true" to turn debugging on (default off)
    COMPACT_ALLOWED_HOSTS   comma-separated host names (default ``127.0.0.1,localhost,[::1]``)
    COMPACT_VAR_DIR         where local state lives (default: ``var/`` at the top of the source checkout)
    COMPACT_SESSION_HOURS   how long a session lasts without activity (default 8)
    COMPACT_EMAIL_URL       outgoing mail, ``smtp://user:password@host:587`` (``smtp+ssl://`` for TLS on
                            connect); default: e-mails are printed on the console
    COMPACT_DEFAULT_FROM_EMAIL  sender of the platform's e-mails
    COMPACT_SITE_URL        the platform's address in links of e-mails and calendar files (default
                            ``http://localhost:8000``)
    COMPACT_AXES_FAILURE_LIMIT  failed sign-ins before lock-out (default 5), COMPACT_AXES_COOLOFF_MINUTES (default 30)
    COMPACT_OIDC_*          single sign-on through OpenID Connect, off unless COMPACT_OIDC_RP_CLIENT_ID is set
                            (see docs/operator-guide.md)
    COMPACT_TASKS_BACKEND   where long work (imports) runs: "database" (default: queued in the database and run
                            by a worker, ``compact db_worker`` or the one ``compact serve`` starts) or "immediate"
                            (inside the request that starts it; the default under pytest)
    COMPACT_IMPORT_MAX_MB   largest file an import job accepts, in megabytes (default 500)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
import xstatic.pkg.bootstrap
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent


def _default_var_dir() -> Path:
    """``var/`` at the top of a source checkout (``<top>/src/compact``), wherever the command runs from;
    ``./var`` for an installed package."""
    top = PACKAGE_DIR.parent.parent
    if PACKAGE_DIR.parent.name == "src" and (top / "pyproject.toml").exists():
        return top / "var"
    return Path("var")


VAR_DIR = Path(os.environ.get("COMPACT_VAR_DIR") or _default_var_dir()).resolve()


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    key = os.environ.get("COMPACT_SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = _flag("COMPACT_DEBUG")
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("COMPACT_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "modeltranslation",
    "compact.core.admin_apps.CompactAdminConfig",  # django.contrib.admin, open to the secretariat only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "compact.core",
    "compact.registry",
    "compact.audit",
    "compact.access",
    "compact.library",
    "compact.planning",
    "compact.projects",
    "compact.funding",
    "compact.appeals",
    "compact.interop",
    "compact.meetings",
]

MIDDLEWARE = [
    "compact.core.middleware.RequestIdMiddleware",
    "compact.core.middleware.NulCharacterMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "compact.core.middleware.LanguageParameterMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "compact.access.middleware.TwoFactorRequiredMiddleware",
    "compact.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees the outcome of every sign-in attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "compact.urls"
WSGI_APPLICATION = "compact.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "compact.core.context_processors.as_of",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'compact.sqlite3'}"),
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("COMPACT_TEST_SQLITE_NAME") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Passwords are hashed with Argon2 (argon2-cffi); older hashes are upgraded at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out user before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The six official languages of the United Nations; Arabic is written right to left.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("ar", _("Arabic")),
    ("zh-hans", _("Chinese")),
    ("en", _("English")),
    ("fr", _("French")),
    ("ru", _("Russian")),
    ("es", _("Spanish")),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "compact_language"
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("ar", "en", "es", "fr", "ru", "zh-hans")
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("en", "fr")}

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static", ("bootstrap", xstatic.pkg.bootstrap.BASE_DIR)]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the installed packages when collectstatic has not run (tests, first start).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "compact.core.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Compact API",
    "DESCRIPTION": "The structure of the UN Global Counter-Terrorism Coordination Compact, as of any date.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a field named "kind"; each choice set gets its own component name.
    "ENUM_NAME_OVERRIDES": {
        "EntityKindEnum": "compact.registry.models.Entity.Kind",
        "FlowKindEnum": "compact.funding.models.Flow.Kind",
    },
}

LOGIN_URL = "access:login"
LOGIN_REDIRECT_URL = "registry:home"
LOGOUT_REDIRECT_URL = "registry:home"

# Sessions end after COMPACT_SESSION_HOURS without activity, and when the browser closes.
SESSION_COOKIE_AGE = int(float(os.environ.get("COMPACT_SESSION_HOURS", "8")) * 3600)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _flag("COMPACT_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Login throttling and lock-out (django-axes): by user name and address together.
AXES_FAILURE_LIMIT = int(os.environ.get("COMPACT_AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("COMPACT_AXES_COOLOFF_MINUTES", "30")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "access/locked_out.html"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "Compact"
# Nobody, the secretariat included, sees a device's secret (or its QR code) after it is set up.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# E-mail: printed on the console unless COMPACT_EMAIL_URL names an SMTP server.
DEFAULT_FROM_EMAIL = os.environ.get("COMPACT_DEFAULT_FROM_EMAIL", "compact@localhost")
_email_url = os.environ.get("COMPACT_EMAIL_URL", "")
if _email_url:
    from urllib.parse import unquote, urlsplit

    _mail = urlsplit(_email_url)
    if _mail.scheme not in {"smtp", "smtp+tls", "smtp+ssl"}:
        raise ValueError(f"COMPACT_EMAIL_URL: scheme must be smtp, smtp+tls or smtp+ssl, not {_mail.scheme!r}")
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or (465 if _mail.scheme == "smtp+ssl" else 587 if _mail.scheme == "smtp+tls" else 25)
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_TLS = _mail.scheme == "smtp+tls"
    EMAIL_USE_SSL = _mail.scheme == "smtp+ssl"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Meetings: the platform's address, for links in e-mails and calendar files written outside a request.
SITE_URL = os.environ.get("COMPACT_SITE_URL", "http://localhost:8000").rstrip("/")

# Single sign-on through OpenID Connect (mozilla-django-oidc), e.g. Microsoft Entra ID; off by default.
OIDC_ENABLED = bool(os.environ.get("COMPACT_OIDC_RP_CLIENT_ID"))
if OIDC_ENABLED:
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.append("compact.access.oidc.CompactOIDCBackend")
    OIDC_RP_CLIENT_ID = os.environ["COMPACT_OIDC_RP_CLIENT_ID"]
    OIDC_RP_CLIENT_SECRET = os.environ.get("COMPACT_OIDC_RP_CLIENT_SECRET", "")
    OIDC_RP_SIGN_ALGO = os.environ.get("COMPACT_OIDC_RP_SIGN_ALGO", "RS256")
    OIDC_RP_SCOPES = os.environ.get("COMPACT_OIDC_RP_SCOPES", "openid email profile")
    OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ["COMPACT_OIDC_OP_AUTHORIZATION_ENDPOINT"]
    OIDC_OP_TOKEN_ENDPOINT = os.environ["COMPACT_OIDC_OP_TOKEN_ENDPOINT"]
    OIDC_OP_USER_ENDPOINT = os.environ["COMPACT_OIDC_OP_USER_ENDPOINT"]
    # Required for RS256 (the default, and what Microsoft Entra ID signs with): when it is missing, single
    # sign-on fails with an ImproperlyConfigured error naming it, instead of fetching keys from "".
    OIDC_OP_JWKS_ENDPOINT = os.environ.get("COMPACT_OIDC_OP_JWKS_ENDPOINT") or None
    OIDC_CREATE_USER = _flag("COMPACT_OIDC_CREATE_USER")
    # A refused single sign-on returns to the sign-in page, which says so.
    LOGIN_REDIRECT_URL_FAILURE = "/account/login/?sso=refused"

# Uploaded files are private: they are served only through views that apply the access policy.
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media-not-served/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Long work (imports of IATI files) runs as tasks (django-tasks; docs/operator-guide.md, "Tasks and the
# worker"). Under pytest (which sets PYTEST_VERSION) tasks run at once, inside the request that queues them.
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_tasks_backend = os.environ.get("COMPACT_TASKS_BACKEND") or ("immediate" if os.environ.get("PYTEST_VERSION") else "database")
if _tasks_backend not in TASK_BACKENDS:
    raise ValueError(f"COMPACT_TASKS_BACKEND: expected one of {', '.join(TASK_BACKENDS)}, not {_tasks_backend!r}")
TASKS = {"default": {"BACKEND": TASK_BACKENDS[_tasks_backend]}}
# The largest file an import job accepts (each file of an upload); larger uploads stream to a temporary file.
IMPORT_MAX_FILE_SIZE = int(float(os.environ.get("COMPACT_IMPORT_MAX_MB", "500")) * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("COMPACT_LOG_LEVEL", "WARNING")},
}
