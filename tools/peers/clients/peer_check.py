"""What the Python peers share: sending `total` bytes as chunk-sized
messages of one repeated random chunk, and checking every received message:
each is one chunk (the last may be shorter) and carries the same bytes as
the first, since both ends of the /ws protocol repeat one chunk."""
import os


async def send_repeated(send, total, chunk):
    """Awaits send(message) until `total` bytes went out."""
    payload = os.urandom(chunk)
    sent = 0
    while sent < total:
        n = min(chunk, total - sent)
        await send(payload[:n])
        sent += n


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
