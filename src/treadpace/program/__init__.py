"""Programs: weeks of runs between the progression runs, planned from the runner's history.

`planner` is pure (history, today and the settings in, a program out: no file, no clock),
as are the spike guard (`guard`), the day-to-day changes (`adjust`) and the fitness checks
(`fitness`); `store` reads and writes the program file, `view`, `chart` and `calendar` show
and export it. docs/program.md says the rules and where they come from.
"""
