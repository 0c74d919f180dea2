"""`chhub import`: the client that runs on a player's machine, walks a Clone Hero library and
sends the songs the hub lacks to its gateway over HTTP; it imports only shared/."""
