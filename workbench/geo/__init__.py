"""Places: the bundled gazetteer's place names (``names``); the offline geocoder comes with issue 4."""
