"""The appliance behind `treadpace serve`: one run at a time, started and reviewed from a page.

`runner` owns at most one `RunSession` and hands the page's Start to the engine's
gate; `preview` is the plan library and a plan compiled for today; `routes` are
the page's JSON routes, served behind the same guard as the live page.
"""
