"""``fakeauth serve``'s state files: ``--import``, ``--export-on-exit``, ``--data``,
``--export-journal``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fakeauth.errors import ConfigurationError
from fakeauth.persistence.files import (
    DataWriter,
    DirtyMarker,
    check_writable,
    dumps,
    read_document,
    write_atomic,
)

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

    from fakeauth.fake import FakeAuth
    from fakeauth.lanes import Lanes

__all__ = ["ServeFiles", "add_arguments"]

#: Seconds ``--data`` waits after a change before it writes (a crash loses at most about this).
DATA_INTERVAL = 1.0


def add_arguments(serve: argparse.ArgumentParser) -> None:
    """Add the state-file options to the ``serve`` parser."""
    serve.add_argument(
        "--import",
        dest="import_file",
        metavar="FILE",
        help="start from the state FILE that an export wrote",
    )
    serve.add_argument(
        "--export-on-exit",
        metavar="FILE",
        help="write the whole state to FILE on a clean stop (Ctrl-C, SIGTERM)",
    )
    serve.add_argument(
        "--data",
        metavar="FILE",
        help="keep the state in FILE: load it if it exists (else start from --seed), write it "
        f"within about {DATA_INTERVAL:g} s of each change and on stop",
    )
    serve.add_argument(
        "--export-journal",
        action="store_true",
        help="write the journal and the outbox into the state files too",
    )


class ServeFiles:
    """The state files of one ``fakeauth serve`` run."""

    def __init__(self, args: argparse.Namespace) -> None:
        self._import: str | None = args.import_file
        self._export: str | None = args.export_on_exit
        self._data: str | None = args.data
        self._journal: bool = args.export_journal
        self._writer: DataWriter | None = None
        self._fake: FakeAuth | Lanes | None = None
        if self._data and (self._import or self._export):
            raise ConfigurationError(
                "--data both loads and writes its file: give it alone, or --import and "
                "--export-on-exit instead"
            )
        if self._import and args.seed:
            raise ConfigurationError(
                "--import starts from a whole state: add the --seed file's data before "
                "exporting it, or give only one of them"
            )

    @property
    def loads(self) -> bool:
        """Whether the run starts from a state file (then ``--seed`` is not applied)."""
        return bool(self._import) or bool(self._data and Path(self._data).exists())

    def document(self) -> Any:
        """The parsed state file the run starts from, or ``None`` to start afresh; raises
        :class:`ConfigurationError` naming what is wrong with the file."""
        if self._data is not None:  # before anything else: a state it cannot keep is lost
            check_writable(self._data, "the --data file")
        if self._export is not None:  # as --data: said at start, not after the run
            check_writable(self._export, "the --export-on-exit file")
        source = self._import or self._data
        if source is None or not self.loads:
            return None
        document = read_document(source)
        print(f"fakeauth: loading the state of {source}", flush=True)
        return document

    def attach(self, fake: FakeAuth | Lanes) -> None:
        """Export the state of ``fake`` (a fake, or every lane of a server) into the run's
        files."""
        self._fake = fake

    def _render(self) -> str:
        assert self._fake is not None
        return dumps(self._fake.export_state(journal=self._journal))

    def wrap(self, app: WSGIApplication) -> WSGIApplication:
        """``app``, marking the state changed on every request that may change it (``--data``)."""
        if self._data is None:
            return app
        self._writer = DataWriter(self._data, self._render, interval=DATA_INTERVAL)
        return DirtyMarker(app, self._writer.mark)

    def start(self) -> None:
        """Write the ``--data`` file at once (so it exists) and start its writer."""
        if self._writer is not None:
            self._writer.write()
            self._writer.start()

    def stop(self) -> str | None:
        """The clean stop's writes; the sentence to exit with when the last write of the
        ``--data`` file failed (the changes since its last good write are then lost), or the
        ``--export-on-exit`` file could not be written (its folder went away during the run)."""
        if self._writer is not None:
            self._writer.stop()
        if self._export is not None:
            try:
                write_atomic(self._export, self._render())
            except OSError as exc:
                return (
                    f"fakeauth: the --export-on-exit file {self._export!r} could not be written "
                    f"({exc.strerror}): this run's state is not exported; give a file in a "
                    "directory that exists and that this process may write to"
                )
            print(f"fakeauth: wrote the state to {self._export}", flush=True)
        error = None if self._writer is None else self._writer.error
        if error is None:
            return None
        return (
            f"fakeauth: the last write of the --data file {str(self._data)!r} failed "
            f"({error.strerror}): the changes since its last good write are lost; free the "
            "disk or make the file writable before the next run"
        )
