"""The API's use cases over the domain: estimating with a calibration, and creating calibrations.

Controllers call these; this module owns the store, the default model and a small cache of loaded
models, and nothing here knows about HTTP.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import Generic, Literal, TypeVar

import anyio.to_thread
import msgspec

from api.errors import NotFoundError, PayloadTooLargeError
from api.storage import CalibrationStore, CalibrationSummary, StoredCalibration
from calibration.evaluate import Evaluation, evaluate
from calibration.fit import fit_award_model
from calibration.precedents import DEFAULT_LIMIT, DEFAULT_MAX_DISTANCE, Precedent, PrecedentIndex
from calibration.records import CaseRecord, TooManyRecordsError, bundled_records, parse_records
from estimator.batch import CHUNK, RowProblem, Writer, encode_rows, score_raw
from estimator.cases_io import raw_chunks
from estimator.errors import InvalidInputError, problem_of
from estimator.jsondecode import decode
from estimator.language import Language
from estimator.model.advice import ClaimAdvice, advise_claim
from estimator.model.artifact import FittedModel, dumps_model, loads_model
from estimator.model.compare import Comparison, compare_scenarios
from estimator.model.estimate import Estimate, Question, Settings, estimate_cases
from estimator.model.explain import explain

DEFAULT_CALIBRATION = "default"
PUBLIC_TENANT = "public"
_CACHE_SIZE = 32
_CHART_CACHE_SIZE = 64  # rendered charts of 30-150 kB each: a few MB at most
V = TypeVar("V")
T = TypeVar("T")
Format = Literal["json", "ndjson", "csv"]
log = logging.getLogger(__name__)
_INTERNAL_ROW_ERROR: dict[str, object] = {
    "type": "/problems/internal-error",
    "title": "Internal server error",
    "detail": "scoring stopped here on an unexpected error, which has been logged; the rows after it are missing",
    "errors": [{"path": "$", "field": None, "message": "scoring stopped on an unexpected error"}],
}


class Calibration(msgspec.Struct, frozen=True, kw_only=True):
    """A stored calibration, decoded: what the API reports about it."""

    id: str
    name: str | None
    created_at: str
    n_records: int
    model: FittedModel
    diagnostics: Evaluation | None


class ExplainedEstimate(Estimate, frozen=True, kw_only=True, omit_defaults=True):
    """A single estimate with the most similar decided cases from its calibration's data."""

    precedents: list[Precedent] | None = None


class EstimatorService:
    def __init__(
        self,
        *,
        store: Callable[[], CalibrationStore],
        default_model: FittedModel,
        settings: Settings,
        max_records: int,
        max_batch_rows: int = 100_000,
    ) -> None:
        # Opened on first use, so that building the app (e.g. to export its OpenAPI document)
        # touches no disk.
        self._open_store = store
        self._opened: CalibrationStore | None = None
        self._default = default_model
        self._settings = settings
        self._max_records = max_records
        self._max_batch_rows = max_batch_rows
        self._models: _Cache[FittedModel] = _Cache(_CACHE_SIZE)
        self._records: _Cache[list[CaseRecord]] = _Cache(_CACHE_SIZE)
        self._indexes: _Cache[PrecedentIndex] = _Cache(_CACHE_SIZE)
        self._charts: _Cache[bytes] = _Cache(_CHART_CACHE_SIZE)
        self._default_evaluation: Evaluation | None = None
        self._lock = threading.Lock()  # opening the store; held for microseconds
        # Validating the bundled calibration takes about a second: under a lock of its own, so that
        # meanwhile every other request still reaches the store.
        self._evaluation_lock = threading.Lock()

    @property
    def _store(self) -> CalibrationStore:
        with self._lock:
            if self._opened is None:
                self._opened = self._open_store()
            return self._opened

    @property
    def default_model(self) -> FittedModel:
        return self._default

    def estimate(
        self, question: Question, *, tenant: str | None, calibration_id: str | None, lang: Language = "en"
    ) -> Estimate:
        """One estimate without factors or precedents (what a chart draws); its reasons in `lang`."""
        model = self.model_for(tenant, calibration_id)
        return estimate_cases(model, [question], settings=self._settings, lang=lang)[0]

    def explained_estimate(
        self, question: Question, *, tenant: str | None, calibration_id: str | None, lang: Language = "en"
    ) -> ExplainedEstimate:
        """One estimate, with the facts that moved it explained in `lang`, and its nearest precedents."""
        model = self.model_for(tenant, calibration_id)
        estimate = self.estimate(question, tenant=tenant, calibration_id=calibration_id, lang=lang)
        fields = msgspec.structs.asdict(estimate)
        fields["factors"] = explain(model, question.case, lang=lang)
        fields["precedents"] = self.precedents(question, tenant=tenant, calibration_id=calibration_id, limit=5)
        return ExplainedEstimate(**fields)

    async def within(
        self, tenant: str | None, calibration_id: str | None, work: Callable[[], T], *, precedents: bool = False
    ) -> T:
        """`work()`, which uses the calibration, with the calibration read in first: the store is never
        touched on the event loop.

        The bundled calibration is read at start-up: `work` runs at once, on the loop. A stored one is
        looked up in the store first, then read in (its model, and with `precedents` its records and
        their index) if not cached, then `work` runs, all in one worker thread: the first use of a large
        calibration decodes its model, and codes thousands of records for precedents, which takes up to
        a second, and the store is I/O. An unknown id raises its 404 here, as it would in `work`.

        Once cached, a calibration is still looked up in the store (by its key, without reading it)
        each time: another instance sharing the database may have deleted it, and a firm's deleted
        records must stop being used everywhere, not only where the delete was sent.
        """
        key = self._own(tenant, calibration_id)  # an anonymous caller's other id: its 404, here
        if key is None:
            return work()

        def ready_then_work() -> T:
            self._ready(key, precedents)
            return work()

        return await anyio.to_thread.run_sync(ready_then_work)

    async def load(self, tenant: str | None, calibration_id: str | None, *, precedents: bool = False) -> None:
        """The calibration read in (see `within`), for work that goes to a worker thread of its own."""
        await self.within(tenant, calibration_id, lambda: None, precedents=precedents)

    def _ready(self, key: tuple[str, str], precedents: bool) -> None:
        """The calibration `key` still stored (else forgotten here too, and its 404), and read in."""
        if not self._store.exists(*key):
            self._forget(key)
            self._store.get(*key)  # its 404, worded as every other; or it is back, stored again meanwhile
        if precedents:
            self._precedent_index(*key)
        else:
            self.model_for(*key)

    async def chart(
        self,
        kind: str,
        request: object,
        *,
        tenant: str | None,
        calibration_id: str | None,
        fmt: str,
        lang: str,
        draw: Callable[[], bytes],
    ) -> bytes:
        """A chart of `kind` for `request` (all it depends on besides the model), drawn once by `draw`.

        Drawing takes a few hundred milliseconds: a cached chart is answered at once, a new one is
        computed and drawn in a worker thread, never on the event loop. The calibration is resolved
        for the caller first (another key's is a 404 before the cache is looked at) and its model's
        content id is part of the key, so a chart is served only for the same model and question.
        """
        model_id = await self.within(tenant, calibration_id, lambda: self.model_for(tenant, calibration_id).id)
        digest = hashlib.blake2b(
            msgspec.json.encode((fmt, lang, model_id, request), order="deterministic"), digest_size=16
        ).hexdigest()
        key = (kind, digest)
        cached = self._charts.peek(key)
        if cached is not None:
            return cached
        return await anyio.to_thread.run_sync(self._charts.get, key, draw)

    def precedents(
        self,
        question: Question,
        *,
        tenant: str | None,
        calibration_id: str | None,
        max_distance: float = DEFAULT_MAX_DISTANCE,
        limit: int = DEFAULT_LIMIT,
    ) -> list[Precedent]:
        index = self._precedent_index(tenant, calibration_id)
        return index.find(question.case, max_distance=max_distance, limit=limit)

    def _precedent_index(self, tenant: str | None, calibration_id: str | None) -> PrecedentIndex:
        """One index per calibration, built on first use: coding the records is the costly part."""
        key = self._own(tenant, calibration_id) or ("", self._default.id)
        return self._indexes.get(
            key,
            lambda: PrecedentIndex(self.model_for(tenant, calibration_id), self.records_for(tenant, calibration_id)),
        )

    def records_for(self, tenant: str | None, calibration_id: str | None) -> list[CaseRecord]:
        """The decided cases a calibration was fitted from (the bundled ones for the default)."""
        key = self._own(tenant, calibration_id)
        if key is None:
            return bundled_records()
        return self._records.get(
            key, lambda: msgspec.json.decode(self._store.get(*key).records_json, type=list[CaseRecord])
        )

    def is_default(self, calibration_id: str | None) -> bool:
        """Whether the id names the bundled calibration's model (`default`, or its model's id)."""
        return calibration_id in (None, DEFAULT_CALIBRATION, self._default.id)

    def is_bundled(self, tenant: str | None, calibration_id: str | None) -> bool:
        """Whether the id names the bundled calibration itself rather than a firm's stored one.

        Calibrations stored before their ids covered the records (`calibration_id`) have their model's
        id, so a firm that uploaded the bundled records then holds a calibration with the default
        model's id: for that firm the id names its own copy (its name, and deletable).
        """
        if calibration_id in (None, DEFAULT_CALIBRATION):
            return True
        if calibration_id != self._default.id:
            return False
        if tenant is None:
            return True
        try:
            self._store.get(tenant, calibration_id)
        except NotFoundError:
            return True
        return False

    def _own(self, tenant: str | None, calibration_id: str | None) -> tuple[str, str] | None:
        """None for the public default calibration, else the (tenant, id) key of the caller's own.

        An anonymous caller has no calibrations of its own: any other id is simply not found.
        """
        if self.is_default(calibration_id):
            return None
        assert calibration_id is not None
        if tenant is None:
            raise NotFoundError(f"calibration `{calibration_id}` was not found", field="calibration_id")
        return tenant, calibration_id

    def compare(
        self,
        base: Question,
        variations: list[tuple[str, Question]],
        *,
        tenant: str | None,
        calibration_id: str | None,
        lang: Language = "en",
    ) -> Comparison:
        model = self.model_for(tenant, calibration_id)
        return compare_scenarios(model, base, variations, settings=self._settings, lang=lang)

    def advise(
        self,
        question: Question,
        *,
        tenant: str | None,
        calibration_id: str | None,
        assessed_loss: float | None,
        your_claim: float | None,
        points: int,
        lang: Language = "en",
    ) -> ClaimAdvice:
        model = self.model_for(tenant, calibration_id)
        return advise_claim(
            model,
            question,
            assessed_loss=assessed_loss,
            your_claim=your_claim,
            points=points,
            settings=self._settings,
            lang=lang,
        )

    def score_batch(
        self,
        body: bytes,
        in_format: Format,
        out_format: Format,
        *,
        tenant: str | None,
        calibration_id: str | None,
        lang: Language = "en",
    ) -> tuple[str, Iterator[bytes]]:
        """Check the batch (model, row limit) before anything is sent, then score it chunk by chunk.

        The body is already in memory (bounded by the body-size limit); what is parsed, scored and
        encoded at any moment is one chunk, so memory does not grow with the number of rows.
        """
        model = self.model_for(tenant, calibration_id)
        rows = _count_rows(body, in_format, self._max_batch_rows)
        if rows > self._max_batch_rows:
            raise PayloadTooLargeError(
                f"{rows:,} rows is more than the {self._max_batch_rows:,} allowed in one batch; split it",
                field="rows",
            )
        writer = Writer(out_format)
        chunks = raw_chunks(io.BytesIO(body), in_format, CHUNK)  # an unreadable body is a 400, raised here

        def stream() -> Iterator[bytes]:
            yield writer.header()
            try:
                for chunk in chunks:
                    yield score_raw(model, chunk, writer, settings=self._settings, lang=lang)[2]
            except InvalidInputError as exc:
                # Found after the response started (a CSV line that is not UTF-8, say): the rows so
                # far stand, and the problem is the last row rather than a dropped connection.
                yield writer.frame(encode_rows([RowProblem(id=None, error=problem_of(exc))], writer.fmt))
            except Exception:
                # A bug, found after the 200 was sent: log it, and end the answer with a problem row
                # so that the client sees the rows stop short instead of a silently shorter batch.
                log.exception("unhandled error while streaming a batch")
                yield writer.frame(encode_rows([RowProblem(id=None, error=_INTERNAL_ROW_ERROR)], writer.fmt))
            yield writer.footer()

        return writer.media_type, stream()

    def model_for(self, tenant: str | None, calibration_id: str | None) -> FittedModel:
        """The default model, or a tenant's own calibration (another tenant's is not found)."""
        key = self._own(tenant, calibration_id)
        if key is None:
            return self._default
        return self._models.get(key, lambda: loads_model(self._store.get(*key).model_json))

    def create_calibration(
        self, tenant: str, body: bytes, fmt: Format, *, name: str | None
    ) -> tuple[Calibration, bool]:
        """Parse, fit, validate and store; nothing is stored unless every step succeeded.

        Also says whether it is new: the same records sent again find the calibration stored the first
        time (under its first id, name and date), returned as it is.
        """
        try:
            records = parse_records(body, fmt, max_records=self._max_records)
        except TooManyRecordsError as exc:
            raise PayloadTooLargeError(exc.message, field="records") from exc
        records_json = msgspec.json.encode(records)
        # These very records stored before, perhaps under another id (ids were once the model's alone,
        # and a model fitted by an earlier version has another id anyway): found, not fitted again.
        earlier = self._store.find_records(tenant, records_json)
        if earlier is not None:
            return _decoded(earlier), False
        model = fit_award_model(records)
        diagnostics = evaluate(records)
        item = StoredCalibration(
            id=calibration_id(model, records_json),
            tenant=tenant,
            name=name,
            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            n_records=len(records),
            model_json=dumps_model(model),
            diagnostics_json=msgspec.json.encode(diagnostics),
            records_json=records_json,
        )
        stored, added = self._store.add(item)
        return _decoded(stored), added

    def get_calibration(self, tenant: str | None, calibration_id: str) -> Calibration:
        if self.is_bundled(tenant, calibration_id):
            return Calibration(
                id=self._default.id,
                name="bundled decided cases",
                created_at=self._default.data_cutoff or "",
                n_records=self._default.n_records,
                model=self._default,
                diagnostics=self.evaluation_for(tenant, DEFAULT_CALIBRATION),
            )
        if tenant is None:
            raise NotFoundError(f"calibration `{calibration_id}` was not found", field="calibration_id")
        return _decoded(self._store.get(tenant, calibration_id))

    def evaluation_for(self, tenant: str | None, calibration_id: str) -> Evaluation:
        """A calibration's held-out validation; the default one's is computed once, on first use."""
        if self.is_default(calibration_id):
            with self._evaluation_lock:
                if self._default_evaluation is None:
                    self._default_evaluation = evaluate(bundled_records())
                return self._default_evaluation
        diagnostics = self.get_calibration(tenant, calibration_id).diagnostics
        if diagnostics is None:  # pragma: no cover - every stored calibration was evaluated
            raise NotFoundError(f"calibration `{calibration_id}` has no validation", field="calibration_id")
        return diagnostics

    def list_calibrations(self, tenant: str, *, limit: int, offset: int) -> list[CalibrationSummary]:
        return self._store.list(tenant, limit=limit, offset=offset)

    def rename_calibration(self, tenant: str, calibration_id: str, name: str | None) -> Calibration:
        """Name (or, with None, unname) one of the tenant's calibrations; its model and id stay the same."""
        return _decoded(self._store.rename(tenant, calibration_id, name))

    def delete_calibration(self, tenant: str, calibration_id: str) -> None:
        self._store.delete(tenant, calibration_id)
        self._forget((tenant, calibration_id))

    def _forget(self, key: tuple[str, str]) -> None:
        for cache in (self._models, self._records, self._indexes):
            cache.discard(key)

    def close(self) -> None:
        with self._lock:
            if self._opened is not None:
                self._opened.close()
                self._opened = None


def calibration_id(model: FittedModel, records_json: bytes) -> str:
    """A calibration's id: a hash of its model's content id and of the records it was fitted from.

    The model's id alone is not enough: records that differ only in what the fit does not read (case
    numbers, courts, notes, which the precedents show) fit the same model, and a second upload keyed by
    the model would find the first and be dropped. The same records, in any of the three formats,
    decode to the same `CaseRecord`s and so get the same id.
    """
    return hashlib.sha256(model.id.encode() + b"\n" + records_json).hexdigest()[:16]


class _Cache(Generic[V]):
    """A small thread-safe LRU keyed by pairs of strings, e.g. (tenant, calibration id).

    A missing value is made outside the lock, once: callers asking for a key that is being made
    wait for that value (or its error) instead of making it again, so two identical first chart
    requests draw one chart. A key discarded while its value is being made (a calibration deleted
    meanwhile) gets that value to its callers but does not keep it.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[str, str], V] = OrderedDict()
        self._making: dict[tuple[str, str], Future[V]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str], make: Callable[[], V]) -> V:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            making = self._making.get(key)
            if making is None:
                mine: Future[V] = Future()
                self._making[key] = mine
        if making is not None:
            return making.result()  # made by another caller: its value, or its error raised here
        try:
            value = make()  # may read the store, code records or draw: no other key waits on it
        except BaseException as exc:
            with self._lock:
                if self._making.get(key) is mine:
                    del self._making[key]
            mine.set_exception(exc)
            raise
        with self._lock:
            if self._making.get(key) is mine:  # not discarded meanwhile
                del self._making[key]
                self._items[key] = value
                self._items.move_to_end(key)
                while len(self._items) > self._size:
                    self._items.popitem(last=False)
        mine.set_result(value)
        return value

    def peek(self, key: tuple[str, str]) -> V | None:
        """The cached value, or None; a hit counts as a use."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            return None

    def discard(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._items.pop(key, None)
            self._making.pop(key, None)


def _count_rows(body: bytes, fmt: Format, limit: int) -> int:
    """Rows in a batch body: lines for NDJSON, rows for CSV (less the header), elements for a JSON array.

    A CSV is counted by lines unless that goes over `limit`: only then is it parsed to count rows.
    """
    if fmt == "json":
        try:
            document = decode(body)
        except msgspec.DecodeError:
            return 0  # `raw_chunks` then refuses the body as a 400, naming what is wrong
        return len(document) if isinstance(document, list) else 0
    if fmt != "csv":
        # At "\n" only, as the reader splits: `splitlines` would also split at a bare "\r" (JSON whitespace).
        return sum(1 for line in body.split(b"\n") if line.strip())
    lines = sum(1 for line in body.splitlines() if line.strip())  # a CSV line may end in a bare "\r"
    if lines - 1 <= limit:
        return max(lines - 1, 0)  # a CSV row is at least one line
    # Over the limit by lines, perhaps only because quoted cells hold line breaks: count the rows.
    reader = csv.reader(io.StringIO(body.decode("utf-8-sig", errors="replace"), newline=""))
    try:
        return max(sum(1 for row in reader if any(cell.strip() for cell in row)) - 1, 0)
    except csv.Error:
        return max(lines - 1, 0)  # unreadable: `raw_chunks` or the stream says why


def _decoded(stored: StoredCalibration) -> Calibration:
    return Calibration(
        id=stored.id,
        name=stored.name,
        created_at=stored.created_at,
        n_records=stored.n_records,
        model=loads_model(stored.model_json),
        diagnostics=msgspec.json.decode(stored.diagnostics_json, type=Evaluation),
    )
