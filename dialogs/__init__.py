"""The intake conversation: declared flow, wording as data, and a pure `step` function.

Nothing here imports Flask, LINE or the database: the same conversation runs on every
channel and is tested without any server.
"""
