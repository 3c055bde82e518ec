"""Search backends behind one interface (``base.SearchBackend``)."""
