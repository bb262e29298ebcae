"""Every received message checked, for the Python peers: each is one chunk
(the last may be shorter) and carries the same bytes as the first, since
both ends of the /ws protocol repeat one chunk."""


class MessageCheck:
    def __init__(self, total, chunk):
        self.total, self.chunk = total, chunk
        self.got = 0
        self.first = None
        self.error = None

    def take(self, data):
        if self.first is None:
            self.first = bytes(data)
        want = min(self.chunk, self.total - self.got)
        if self.error is None and (len(data) != want or data != self.first[:want]):
            self.error = (f"message at byte {self.got}: {len(data)} bytes, "
                          f"expected {want} of the repeated chunk")
        self.got += len(data)

    def verdict(self):
        """None when everything arrived intact, else what is wrong."""
        if self.error:
            return self.error
        if self.got != self.total:
            return f"got {self.got} of {self.total} bytes"
        return None
