"""How payloads arrive: polling, push, drop folders, file import, restore, and the inbox of
stored payloads they all go through (store first, then process)."""
