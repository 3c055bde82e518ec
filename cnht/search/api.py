"""GET /api/v1/search and /api/v1/suggest."""

from __future__ import annotations

from flask.views import MethodView

from cnht.api import ApiBlueprint
from cnht.search.backend import get_backend
from cnht.search.schemas import SearchArgs, SuggestArgs
from cnht.search.services import SearchRequest, result_json, run_search

blp = ApiBlueprint("search_api", __name__, url_prefix="/api/v1", description="Tìm kiếm / Search")


@blp.route("/search")
class Search(MethodView):
    @blp.arguments(SearchArgs, location="query", as_kwargs=False)
    @blp.response(200)
    def get(self, req: SearchRequest):
        """Tìm doanh nghiệp / Search enterprises (Vietnamese or English, with or without diacritics)

        Returns `{"total", "page", "per_page", "items": [{"tax_code", "name", "name_en", "province",
        "sectors", "score", "highlights"}], "facets": {...}, "did_you_mean"}`. An empty `q` with filters
        browses.
        """
        return result_json(run_search(req))


@blp.route("/suggest")
class Suggest(MethodView):
    @blp.arguments(SuggestArgs, location="query")
    @blp.response(200)
    def get(self, args):
        """Gợi ý khi gõ / Autocomplete enterprise names, products and categories"""
        items = get_backend().suggest(args["q"], limit=args["limit"])
        return {
            "items": [
                {
                    "text": s.text,
                    "kind": s.kind,
                    "ref": s.tax_code,
                    "tax_code": s.tax_code if s.tax_code and not s.tax_code.startswith("id-") else None,
                }
                for s in items
            ]
        }
