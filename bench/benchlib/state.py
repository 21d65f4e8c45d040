"""What one run accumulates as it goes, kept in one object that the sections
are handed rather than in module globals."""
import sys


class RunState:
    def __init__(self):
        self.children = []          # every process started here, for the cleanup
        self.notes = []             # printed under the table: skips and failures
        self.log_lines = []         # raw result lines, saved under out/
        self.retried = 0            # cells measured again for outside load
        self.retry_budget = 0.0     # seconds the retries may still take
        self.server_lifetime = 3600  # no server outlives this (set from the plan)

    def note(self, msg):
        self.notes.append(msg)
        print("  note: " + msg, file=sys.stderr, flush=True)
