"""The fake's one random source.

Every id, uuid, salt, secret and token a ``FakeAuth`` generates is drawn from a
:class:`Randomness`. Each part of the fake draws from its own named stream, derived from the
instance's seed, so ``FakeAuth(seed=...)`` repeats every value, and a call to one vendor does not
shift the values another vendor generates.

A reset of the fake starts a new *epoch* (:meth:`Randomness.advance`): the streams made after it
are derived from the seed and the epoch, so they never repeat what the streams of an earlier epoch
gave (a token issued before a reset is never issued again after it), and two fakes with one seed
that make the same calls, resets included, still give the very same values.
"""

from __future__ import annotations

import hashlib
import os
import random
import threading
import uuid

from fakeauth.errors import ConfigurationError

__all__ = ["RandomStream", "Randomness"]

_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


class RandomStream:
    """One named stream of random values; thread-safe."""

    def __init__(self, seed: bytes) -> None:
        self._seed = seed
        self._generator: random.Random | None = None
        self._lock = threading.Lock()

    @property
    def _random(self) -> random.Random:
        # Seeded on first draw (under the stream's lock): a fresh fake sets up several streams
        # and most tests draw from one or two.
        generator = self._generator
        if generator is None:
            generator = self._generator = random.Random(self._seed)
        return generator

    def position(self) -> tuple[int, ...] | None:
        """Where the stream has got to (the generator's state words), or ``None`` before its
        first draw; :meth:`move_to` puts a stream of the same seed there (an import)."""
        with self._lock:
            if self._generator is None:
                return None
            state: tuple[int, ...] = self._generator.getstate()[1]
            return state

    def move_to(self, position: tuple[int, ...]) -> None:
        """Continue from ``position`` (from :meth:`position`); raises ``ValueError`` for words
        that are no generator state."""
        with self._lock:
            generator = random.Random()
            generator.setstate((3, tuple(position), None))
            self._generator = generator

    def bytes(self, n: int) -> bytes:
        """``n`` random bytes."""
        with self._lock:
            return self._random.randbytes(n)

    def uuid4(self) -> str:
        """A random (version 4) UUID in its canonical text form."""
        return str(uuid.UUID(bytes=self.bytes(16), version=4))

    def hex(self, n_bytes: int) -> str:
        """``n_bytes`` random bytes as lowercase hex."""
        return self.bytes(n_bytes).hex()

    def digits(self, n: int) -> str:
        """``n`` random decimal digits (a one-time code, say)."""
        with self._lock:
            return "".join(self._random.choice("0123456789") for _ in range(n))

    def token(self, n: int) -> str:
        """``n`` random alphanumeric characters."""
        with self._lock:
            return "".join(self._random.choice(_ALPHABET) for _ in range(n))


class Randomness:
    """The random source of one ``FakeAuth``: a seed and the streams derived from it."""

    def __init__(self, seed: int | str | bytes | None = None) -> None:
        self._seed: bytes | None
        if seed is None:
            self._seed = None  # drawn from the system on first use
        elif isinstance(seed, bytes):
            self._seed = seed
        elif isinstance(seed, (int, str)) and not isinstance(seed, bool):
            self._seed = repr(seed).encode()
        else:
            raise TypeError(
                f"fakeauth: seed must be an int, a str or bytes, not {type(seed).__name__}"
            )
        self.seeded = seed is not None
        self._lock = threading.Lock()
        #: How many times :meth:`advance` was called: 0 for a fresh fake.
        self.epoch = 0
        #: Whether the streams continue an exported fake's epoch (:meth:`resume`): a state that
        #: loads that fake's document then moves its streams to where the document says they
        #: stood. :meth:`advance` ends it (the positions are of an earlier epoch then).
        self.resumed = False

    def advance(self, *, past: int = 0) -> None:
        """Start a new epoch: every stream made from now on differs from every earlier one
        (and, with ``past``, from those of the epochs up to ``past``: a loaded state's)."""
        with self._lock:
            self.epoch = max(self.epoch, past) + 1
            self.resumed = False

    def resume(self, epoch: int) -> None:
        """Continue at ``epoch`` (a state document's, loaded into a new fake); raises
        :class:`ConfigurationError` for an epoch that is not a whole number, 0 or more."""
        if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
            raise ConfigurationError(f"a random epoch is a whole number, 0 or more, not {epoch!r}")
        with self._lock:
            self.epoch = epoch
            self.resumed = True

    def stream(self, name: str) -> RandomStream:
        """A fresh stream named ``name``; the same seed, epoch and name give the same values."""
        seed = self._seed
        if seed is None:
            seed = self._system_seed()
        material = seed + b"\x00" + name.encode()
        epoch = self.epoch
        if epoch:  # epoch 0 derives as before epochs existed: a fresh fake's values stay put
            material += b"\x00epoch:%d" % epoch
        return RandomStream(hashlib.sha256(material).digest())

    def _system_seed(self) -> bytes:
        # An unseeded fake draws its seed when it first needs one, once (under the lock): a fake
        # that generates nothing never pays the system call.
        with self._lock:
            if self._seed is None:
                self._seed = os.urandom(32)
            return self._seed
