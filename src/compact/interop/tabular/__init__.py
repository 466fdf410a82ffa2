"""Tables of joint projects and funding flows as CSV and XLSX files with an HXL hashtag row.

``reader`` turns the bytes of a file into a ``Table`` of raw cells with their row numbers and columns;
``hxl`` parses the hashtags; ``cells`` turns a cell into a value (text, ISO date, Decimal amount, code
lists) or a ``CellError`` that names what is wrong; ``formats`` lists the columns of each kind of file
and turns rows into the ``data`` the services take and objects into rows (so an exported file imports
back unchanged); ``writer`` writes tables as CSV or XLSX. Nothing here writes to the database: the
import services (``compact.interop.services``) call the projects' and funding's services. The file
formats are documented for users in ``docs/exchange-files.md``.
"""
