"""The server's routes, one router per concern: the page (:mod:`.page`), extraction (:mod:`.extract`),
jobs to come back for (:mod:`.jobs`)."""
