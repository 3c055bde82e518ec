"""The portal's search feature: the backend chosen by configuration, the index kept in step with
the database, and the search API and page. The engine itself is the ``vnsearch`` library."""
