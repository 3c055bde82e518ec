"""The search page: the same arguments, service and response as the API, rendered."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from markupsafe import Markup
from marshmallow import ValidationError

from cnht.db import session
from cnht.enterprises import services as enterprises
from cnht.i18n import current_lang
from cnht.labels import FACET_TITLES
from cnht.search.schemas import SearchArgs
from cnht.search.services import facet_label, result_json, run_search
from cnht.web.forms import form_errors

bp = Blueprint("search", __name__, template_folder="templates")


@bp.route("/search")
def search_page():
    errors = {}
    try:
        req = SearchArgs().load(request.args)
    except ValidationError as exc:
        errors = form_errors(exc.messages)
        req = SearchArgs().load({"q": request.args.get("q", "")[:200]})
    result = result_json(run_search(req), current_lang())
    for item in result["items"]:
        # vnsearch's highlighter escapes the stored text and adds only <mark>: markup we made, not data
        item["highlights"] = {k: Markup(v) for k, v in item["highlights"].items() if v}
    pages = max(1, -(-result["total"] // req.per_page))
    # the cards show facts the index does not carry (size, valid certificates, capacity): one load
    firms = {
        e.ref: e
        for e in enterprises.by_refs(
            session, [item["ref"] for item in result["items"]], enterprises.card_options()
        )
    }
    # the filters in force, as chips that remove them (on phones the filter list itself is folded away)
    active = [
        (facet, facet_label(facet, request.args[facet], current_lang()))
        for facet in FACET_TITLES
        if request.args.get(facet)
    ]
    return render_template(
        "search/search.html",
        active=active,
        q=req.q,
        result=result,
        pages=pages,
        page=req.page,
        errors=errors,
        facet_titles=FACET_TITLES,
        firms=firms,
    )
