"""Business-plan spreadsheets in and out: template, import with preview, export, start next year.

Modules, from the outside in: `reading` (bytes -> tables, with the safety limits), `sheets` (which
sheet is read as which), `columns` (the sheets and their columns), `parsing` (cell values ->
Python values), `lookups` (names -> teams, people, refs), `plan_import` (the entry points: file
-> preview -> database), `matching` (rows -> `preview` and `intents`), `writing` (intents ->
database, in bulk), `plan_export` and `template` (database -> XLSX), `next_year` (carry
unfinished objectives into a new plan). Plans themselves are created by objectives/plans.py.
"""
