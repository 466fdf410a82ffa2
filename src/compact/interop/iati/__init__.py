"""IATI 2.x activity files, read and written.

``records`` holds the plain records of activities; ``schema`` the official IATI 2.03 schema, used offline;
``reader`` streams a file (2.01, 2.02 or 2.03, in any unambiguous encoding) into checked ``ActivityRecord``s;
``rules`` the IATI Standard's rules that matter for the platform (percentages, dates, currencies); the
importer and the writer build on them. Nothing in the reading modules touches the database.
"""
