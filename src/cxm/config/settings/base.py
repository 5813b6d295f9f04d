"""Settings shared by every environment. Values come from the environment (see config/env.py)."""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from cxm.config.env import cache_from_url, env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parents[2]  # src/cxm
BASE_DIR = Path(env_str("CXM_HOME", str(Path.cwd())))
NODE_MODULES = Path(env_str("CXM_NODE_MODULES", str(PACKAGE_DIR.parents[1] / "node_modules")))

SECRET_KEY = env_str("SECRET_KEY", "django-insecure-opencxm-development-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "auditlog",
    "axes",
    "cxm.common",
    "cxm.accounts",
    "cxm.customers",
    "cxm.channels",
    "cxm.journeys",
    "cxm.imports",
    "cxm.surveys",
    "cxm.analytics",
    "cxm.sla",
    "cxm.cases",
    "cxm.referrals",
    "cxm.textanalytics",
    "cxm.contactcenter",
    "cxm.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cxm.common.middleware.UserLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cxm.common.middleware.UserPreferenceLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cxm.config.urls"
WSGI_APPLICATION = "cxm.config.wsgi.application"
ASGI_APPLICATION = "cxm.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "cxm.common.context_processors.ui",
                "cxm.cases.context_processors.notifications",
            ],
            "builtins": ["cxm.common.templatetags.cxm"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'opencxm.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the task worker and the web server share the file without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login rate limit (django-axes): lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Internationalisation: Persian first, then Arabic, Hungarian, English.
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "fa")
LANGUAGES = [
    ("fa", _("Persian")),
    ("ar", _("Arabic")),
    ("hu", _("Hungarian")),
    ("en", _("English")),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Tehran")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS: list[Path | tuple[str, Path]] = [
    PACKAGE_DIR / "static",  # cxm/app.css: `cxm` itself is not an app, so list it here
]
STATICFILES_DIRS += [
    (prefix, NODE_MODULES / sub)
    for prefix, sub in [
        ("vendor/htmx", "htmx.org/dist"),
        ("vendor/vazirmatn", "vazirmatn"),
        ("vendor/html-to-image", "html-to-image/dist"),
        ("vendor/echarts", "echarts/dist"),
    ]
    if (NODE_MODULES / sub).is_dir()
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"
WHITENOISE_USE_FINDERS = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 50 * 1024 * 1024)
CXM_IMPORT_MAX_BYTES = env_int("CXM_IMPORT_MAX_BYTES", 100 * 1024 * 1024)
CXM_BULK_MAX_ITEMS = 10_000

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "OpenCXM <noreply@localhost>")

# Outbound channels (cxm.integrations): one sender per channel, options below.
CXM_SENDERS = {
    "email": "cxm.integrations.email.DjangoEmailSender",
    "sms": env_str("CXM_SMS_SENDER", "cxm.integrations.sms.ConsoleSmsSender"),
    "telegram": "cxm.integrations.telegram.TelegramSender",
}
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")  # a template: {api_key} etc. are URL-encoded
SMS_GATEWAY_METHOD = env_str("SMS_GATEWAY_METHOD", "POST")
SMS_GATEWAY_HEADERS = env_str("SMS_GATEWAY_HEADERS", "{}")  # JSON object
SMS_GATEWAY_BODY_FORMAT = env_str("SMS_GATEWAY_BODY_FORMAT", "json")  # json | form
SMS_GATEWAY_BODY_TEMPLATE = env_str(
    "SMS_GATEWAY_BODY_TEMPLATE",
    '{"api_key": "{api_key}", "sender": "{sender}", "to": "{to}", "text": "{text}"}',
)
SMS_GATEWAY_API_KEY = env_str("SMS_GATEWAY_API_KEY", "")
SMS_GATEWAY_SENDER = env_str("SMS_GATEWAY_SENDER", "")
SMS_GATEWAY_SUCCESS_PATH = env_str("SMS_GATEWAY_SUCCESS_PATH", "")  # e.g. return.status
SMS_GATEWAY_SUCCESS_VALUE = env_str("SMS_GATEWAY_SUCCESS_VALUE", "")  # e.g. 200
SMS_GATEWAY_MESSAGE_ID_PATH = env_str("SMS_GATEWAY_MESSAGE_ID_PATH", "")
SMS_GATEWAY_TIMEOUT = env_int("SMS_GATEWAY_TIMEOUT", 10)
SMS_GATEWAY_MAX_ATTEMPTS = env_int("SMS_GATEWAY_MAX_ATTEMPTS", 3)
TELEGRAM_BOT_TOKEN = env_str("TELEGRAM_BOT_TOKEN", "")
TELEGRAM_API_BASE = env_str("TELEGRAM_API_BASE", "https://api.telegram.org")
TELEGRAM_WEBHOOK_SECRET = env_str("TELEGRAM_WEBHOOK_SECRET", "")

# Survey distribution (cxm.surveys.contact_policy, cxm.surveys.distribution).
CXM_PUBLIC_URL = env_str("CXM_PUBLIC_URL", "http://localhost:8000")  # links in messages
CXM_CONTACT_BUDGET_DAYS = env_int("CXM_CONTACT_BUDGET_DAYS", 30)  # one invitation per N days
CXM_RESPONSE_QUARANTINE_DAYS = env_int("CXM_RESPONSE_QUARANTINE_DAYS", 90)  # after a response
CXM_BUDGET_EXEMPT_SURVEY_KINDS = env_list("CXM_BUDGET_EXEMPT_SURVEY_KINDS", [])  # e.g. follow_up
CXM_CONSENT_REQUIRED_CHANNELS = env_list("CXM_CONSENT_REQUIRED_CHANNELS", [])  # need opt-in
CXM_QUIET_HOURS = env_str("CXM_QUIET_HOURS", "21:00-09:00")  # customer's time zone; "" = off
CXM_REMINDER_AFTER_HOURS = env_int("CXM_REMINDER_AFTER_HOURS", 72)
CXM_INVITATION_MAX_ATTEMPTS = env_int("CXM_INVITATION_MAX_ATTEMPTS", 5)

CACHES = {"default": cache_from_url(env_str("CACHE_URL", "db"))}
# Addresses of reverse proxies whose X-Forwarded-For is trusted (IPs or CIDR networks).
CXM_TRUSTED_PROXIES = env_list("CXM_TRUSTED_PROXIES", [])

# Cases
CXM_CASE_REOPEN_DAYS = env_int(
    "CXM_CASE_REOPEN_DAYS", 7
)  # a customer reply reopens a resolved case
CXM_CASE_AUTOCLOSE_DAYS = env_int("CXM_CASE_AUTOCLOSE_DAYS", 7)  # resolved → closed after
CXM_ATTACHMENT_MAX_BYTES = env_int("CXM_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
CXM_ATTACHMENT_MAX_COUNT = env_int("CXM_ATTACHMENT_MAX_COUNT", 10)
# Inbound e-mail (cxm.integrations.email): the webhook is off while the secret is empty.
CXM_INBOUND_EMAIL_SECRET = env_str("CXM_INBOUND_EMAIL_SECRET", "")
CXM_INBOUND_EMAIL_MAX_BYTES = env_int("CXM_INBOUND_EMAIL_MAX_BYTES", 25 * 1024 * 1024)
CXM_INBOUND_CASE_TYPE = env_str("CXM_INBOUND_CASE_TYPE", "inquiry")  # of cases it opens
# IMAP polling (`cxm fetch_mail`, every 2 minutes when CXM_IMAP_HOST is set).
CXM_IMAP_HOST = env_str("CXM_IMAP_HOST", "")
CXM_IMAP_PORT = env_int("CXM_IMAP_PORT", 993)
CXM_IMAP_USER = env_str("CXM_IMAP_USER", "")
CXM_IMAP_PASSWORD = env_str("CXM_IMAP_PASSWORD", "")
CXM_IMAP_FOLDER = env_str("CXM_IMAP_FOLDER", "INBOX")
CXM_IMAP_SSL = env_bool("CXM_IMAP_SSL", True)
CXM_ATTACHMENT_FORBIDDEN_EXTENSIONS = env_list(
    "CXM_ATTACHMENT_FORBIDDEN_EXTENSIONS",
    [
        "exe",
        "bat",
        "cmd",
        "com",
        "scr",
        "js",
        "vbs",
        "msi",
        "jar",
        "ps1",
        "sh",
        "dll",
        "html",
        "htm",
        "svg",
    ],
)

# Referrals: where /r/<code>/ sends visitors (with ?ref=<code>); empty: a welcome page.
CXM_REFERRAL_TARGET_URL = env_str("CXM_REFERRAL_TARGET_URL", "")

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["cxm.accounts.permissions.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "cxm.common.pagination.DefaultPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "cxm.common.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": "10/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OpenCXM API",
    "DESCRIPTION": "Customers, channels, journeys and people of an OpenCXM organisation.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "cxm.accounts.roles.Role.choices",
        # Shared by several case fields (priority, default_priority, priorities …).
        "PriorityEnum": "cxm.cases.models.Priority.choices",
        "StatusCategoryEnum": "cxm.cases.models.StatusCategory.choices",
        "ClubTierEnum": "cxm.customers.models.ClubTier.choices",
        "CaseSourceEnum": "cxm.cases.models.CaseSource.choices",
        # Predicted and corrected labels of analysed texts share one choice set each.
        "TextSentimentEnum": "cxm.textanalytics.models.SentimentLabel.choices",
        "TextIntentEnum": "cxm.textanalytics.models.Intent.choices",
    },
}

AUDITLOG_INCLUDE_ALL_MODELS = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
