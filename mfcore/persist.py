"""Saving and loading fitted models: one ``.npz`` file, no pickle, written atomically.

Format (``format_version`` 1): numpy arrays for the factors, intercepts and the training
(user, item) pattern; ids as int64 arrays or, for string ids, UTF-8 bytes plus offsets (so
no object arrays and no pickle are ever needed); and ``metadata``, a UTF-8 JSON document with
the parameters, resolved options, id dtypes, training history and evaluation metrics. Readers
accept every version up to their own and reject newer ones with ``ModelFormatError``.
"""

from __future__ import annotations

import json
import os
import tempfile
from os import PathLike
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from mfcore.errors import ModelFormatError
from mfcore.options import Options

if TYPE_CHECKING:
    from mfcore.model import MatrixFactorization

FORMAT_VERSION = 1


def save(model: MatrixFactorization, path: str | PathLike[str]) -> None:
    """Write ``model`` to ``path``: a temp file in the same directory, fsync, then rename."""
    path = os.fspath(path)
    params = model.get_params()
    if not (params["random_state"] is None or isinstance(params["random_state"], int)):
        # A Generator's state is not part of the model; an integer seed is kept for reference.
        params["random_state"] = (
            int(params["random_state"]) if isinstance(params["random_state"], np.integer) else None
        )
    arrays: dict[str, np.ndarray] = {
        "user_factors": model.user_factors_,
        "item_factors": model.item_factors_,
        "user_bias": model.user_bias_,
        "item_bias": model.item_bias_,
        "train_indptr": model.train_pairs_.indptr.astype(np.int64),
        "train_indices": model.train_pairs_.indices.astype(np.int64),
    }
    ids_meta = {}
    for side, ids in (("user", model.user_ids_), ("item", model.item_ids_)):
        ids_meta[side] = _encode_ids(side, ids, arrays)
    metadata = {
        "format_version": FORMAT_VERSION,
        "library": "mfcore",
        "params": params,
        "options": model.options_.as_dict(),
        "ids": ids_meta,
        "global_mean": model.global_mean_,
        "history": [
            {
                "iteration": r.iteration,
                "loss": r.loss,
                "eval_loss": r.eval_loss,
                "duration_ms": r.duration_ms,
            }
            for r in model.history_
        ],
        "n_null_rows_dropped": model.n_null_rows_dropped_,
        "n_train_rows": model.n_train_rows_,
        "n_eval_rows": model.n_eval_rows_,
        "evaluation_metrics": model.evaluation_metrics_,
    }
    arrays["metadata"] = np.frombuffer(json.dumps(metadata).encode("utf-8"), dtype=np.uint8)

    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".mfcore-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **arrays)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    # Persist the rename itself; without this a crash can leave the old directory entry.
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def load(cls: type[MatrixFactorization], path: str | PathLike[str]) -> MatrixFactorization:
    """Read a model written by ``save``; raise ``ModelFormatError`` for files it cannot read."""
    from mfcore.model import IterationResult

    try:
        with np.load(os.fspath(path), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except (OSError, ValueError) as exc:
        raise ModelFormatError(f"{os.fspath(path)!r} is not an mfcore model file: {exc}") from exc
    if "metadata" not in arrays:
        raise ModelFormatError(f"{os.fspath(path)!r} has no mfcore metadata.")
    meta = json.loads(arrays["metadata"].tobytes().decode("utf-8"))
    version = meta.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ModelFormatError(
            f"Model format version {version!r} is newer than this mfcore reads "
            f"(up to {FORMAT_VERSION}); upgrade mfcore."
        )
    model = cls(**meta["params"])
    model.options_ = Options(**meta["options"])
    model.num_factors_ = model.options_.num_factors
    model.user_ids_ = _decode_ids("user", meta["ids"]["user"], arrays)
    model.item_ids_ = _decode_ids("item", meta["ids"]["item"], arrays)
    model.user_factors_ = arrays["user_factors"]
    model.item_factors_ = arrays["item_factors"]
    model.user_bias_ = arrays["user_bias"]
    model.item_bias_ = arrays["item_bias"]
    model.global_mean_ = float(meta["global_mean"])
    model.history_ = [IterationResult(**r) for r in meta["history"]]
    model.n_iter_ = len(model.history_)
    model.n_null_rows_dropped_ = meta["n_null_rows_dropped"]
    model.n_train_rows_ = meta["n_train_rows"]
    model.n_eval_rows_ = meta["n_eval_rows"]
    model.evaluation_metrics_ = meta["evaluation_metrics"]
    indices = arrays["train_indices"]
    model.train_pairs_ = sp.csr_matrix(
        (np.ones(indices.size, dtype=np.int8), indices, arrays["train_indptr"]),
        shape=(len(model.user_ids_), len(model.item_ids_)),
    )
    return model


def _encode_ids(side: str, ids: pd.Index, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    if pd.api.types.is_integer_dtype(ids.dtype):
        arrays[f"{side}_ids"] = ids.to_numpy(dtype=np.int64)
        return {"kind": "int", "dtype": str(ids.dtype)}
    encoded = [str(v).encode("utf-8") for v in ids]
    arrays[f"{side}_ids_utf8"] = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    arrays[f"{side}_ids_offsets"] = np.cumsum([0] + [len(e) for e in encoded], dtype=np.int64)
    return {"kind": "str", "dtype": str(ids.dtype)}


def _decode_ids(side: str, info: dict[str, Any], arrays: dict[str, np.ndarray]) -> pd.Index:
    if info["kind"] == "int":
        values: Any = arrays[f"{side}_ids"]
    else:
        raw = arrays[f"{side}_ids_utf8"].tobytes()
        offsets = arrays[f"{side}_ids_offsets"]
        values = [raw[a:b].decode("utf-8") for a, b in zip(offsets[:-1], offsets[1:], strict=True)]
    try:
        return pd.Index(values, dtype=info["dtype"])
    except (TypeError, ValueError):
        return pd.Index(values)
