"""The site shell: language selection, Flask-Babel, security headers, the layout and the helpers
every template uses, error pages and the health check. It imports no feature."""

from __future__ import annotations

from urllib.parse import urlencode

from babel.numbers import format_decimal
from flask import Flask, g, has_request_context, request
from flask_babel import Babel, get_translations
from markupsafe import Markup

from cnht import labels
from cnht.db import utcnow
from cnht.i18n import LANGS, current_lang, localize, localized
from cnht.reference import sector_label
from cnht.web import views

# No inline script or style, nothing from other origins: a last line against injected markup.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)


def init_web(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "vi")
    Babel(app, locale_selector=current_lang)

    def _translations():
        # Flask-Babel finds the catalogue through four layers of lookups at every call, and a search
        # page asks ~130 times (3 ms of 30): once per request is enough, the language is chosen first
        if not has_request_context():
            return get_translations()
        found = g.get("_translations")
        if found is None:
            found = g._translations = get_translations()
        return found

    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )

    @app.before_request
    def _pick_language():
        # an explicit choice (link, then its cookie) wins; on a first visit the browser's language
        # decides, so a buyer whose browser asks for English gets English without looking for the switch
        lang = request.args.get("lang") or request.cookies.get("lang")
        if lang not in LANGS:
            asked = request.accept_languages
            # a browser that asks for neither (Japanese, Korean…) reads English more easily than Vietnamese
            lang = asked.best_match(LANGS) or ("en" if asked else "vi")
            g.lang_from_browser = True
        g.lang = lang

    @app.after_request
    def _remember_language(response):
        if g.get("lang_from_browser"):
            response.vary.add("Accept-Language")  # a shared cache must not hand one language to the other
        if request.args.get("lang") in LANGS:
            response.set_cookie(
                "lang",
                request.args["lang"],
                max_age=365 * 86400,
                samesite="Lax",
                httponly=True,
                secure=app.config["SESSION_COOKIE_SECURE"],
            )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if not request.path.startswith("/api/docs"):  # Swagger UI ships inline script
            response.headers.setdefault("Content-Security-Policy", CSP)
        return response

    @app.template_filter("number")
    def _number(value, digits: int = 2):
        """A number as the page's language writes it: 66,5 and 50.000 in Vietnamese, 66.5 and 50,000 in
        English; no trailing zeros."""
        if value is None:
            return ""
        return format_decimal(
            value, format=f"#,##0.{'#' * digits}", locale="vi_VN" if current_lang() == "vi" else "en_US"
        )

    @app.template_filter("unit")
    def _unit(word):
        if not word or current_lang() == "vi":
            return word or ""
        return labels.UNIT_EN.get(word.strip().lower(), word)

    @app.context_processor
    def _helpers():
        lang = current_lang()
        return {
            "lang": lang,
            "department": app.config["DEPARTMENT"],
            "label": localize,
            "localized": localized,
            "t": lambda vi, en: en if lang == "en" else vi,
            "period_label": lambda code: labels.of(labels.PERIOD, code, lang),
            "sector_label": lambda code: sector_label(code, lang),
            "size_label": lambda code: labels.of(labels.SIZE, code, lang, localize(labels.UNKNOWN, lang)),
            "verification_label": lambda code: labels.of(labels.VERIFICATION, code, lang),
            "ownership_label": lambda code: labels.of(labels.OWNERSHIP, code, lang),
            "role_label": lambda code: labels.of(labels.ROLE, code, lang),
            "claim_label": lambda code: labels.of(labels.CLAIM, code, lang),
            "stage_label": lambda code: labels.of(labels.STAGE, code, lang),
            "job_status": lambda code: labels.of(labels.JOB_STATUS, code, lang),
            "event_status_label": lambda code: labels.of(labels.EVENT_STATUS, code, lang),
            "request_status_label": lambda code: labels.of(labels.MEETING_STATUS, code, lang),
            "participant_status_label": lambda code: labels.of(labels.PARTICIPANT_STATUS, code, lang),
            "table_kind_label": lambda code: labels.of(labels.TABLE_KIND, code, lang),
            "next_step_label": lambda code: labels.of(labels.NEXT_STEP, code, lang),
            "campaign_status_label": lambda code: labels.of(labels.CAMPAIGN_STATUS, code, lang),
            "respondent_status_label": lambda code: labels.of(labels.RESPONDENT_STATUS, code, lang),
            "origin_label": lambda code: labels.of(labels.ORIGIN, code, lang),
            "why_label": lambda code: labels.of(labels.WHY_NOT_LOCAL, code, lang),
            "indicator_label": lambda code: labels.indicator(code, lang),
            "now_year": utcnow().year,
            "nl2br": lambda text: Markup("<br>").join((text or "").split("\n")),
            "url_with": url_with,
        }

    app.register_blueprint(views.bp)


def url_with(**changes) -> str:
    """Current URL with some query arguments replaced (None removes one)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return request.path + ("?" + urlencode(args) if args else "")
