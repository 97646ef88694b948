"""Business-plan spreadsheets in and out: template, import with preview, export, start next year.

Modules, from the outside in: `reading` (bytes -> tables, with the safety limits), `columns` (the
sheets and their columns), `parsing` (cell values -> Python values), `plan_import` (tables ->
preview -> database), `plan_export` and `template` (database -> XLSX), `next_year` (carry
unfinished objectives into a new plan).
"""
