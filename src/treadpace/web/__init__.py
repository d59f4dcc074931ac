"""The live web page: a second screen for the phone on the console.

`listen` and `live` are pure (address parsing, the page's state built from the
engine's events); `server` holds the aiohttp app and is only imported when a
run or `treadpace serve` asks for the page, so `treadpace --help` never pays
for aiohttp.
"""
