"""The members' logistic regression lands on the optimum of the loss scikit-learn minimises."""

from __future__ import annotations

import math

import numpy as np

from paperwire.personal import logistic


def gradient(x: logistic.Rows, labels: np.ndarray, weights: np.ndarray, c: float, w: np.ndarray, b: float):  # type: ignore[no-untyped-def]
    """Return the gradient of C·Σ sᵢ·logloss + ½‖w‖² at (w, b), computed the plain way."""
    y = np.where(labels > 0, 1.0, -1.0)
    z = x.dot(w) + b
    r = c * weights * (-y) / (1.0 + np.exp(y * z))
    return x.tdot(r) + w, r.sum()


def problem(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(300, 20))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    truth = rng.normal(size=20) * 3
    labels = (x @ truth + rng.normal(scale=0.5, size=300) > 1.0).astype(int)
    weights = np.where(labels == 1, 2.0, 0.3)
    return x, labels, weights


def test_it_reaches_a_zero_gradient_on_dense_rows() -> None:
    x, labels, weights = problem(1)
    rows = logistic.Rows(dense=x)
    w, b = logistic.fit(rows, labels, weights, c=1.0)
    gw, gb = gradient(rows, labels, weights, 1.0, w, b)
    assert np.abs(gw).max() < 1e-5 and abs(gb) < 1e-5
    assert np.abs(w).max() > 0.5  # it learned something, not the zero start


def test_sparse_rows_give_the_same_model_as_the_same_rows_dense() -> None:
    x, labels, weights = problem(2)
    x[np.abs(x) < 0.2] = 0.0  # mostly empty rows, like a title's words
    data, indices, indptr = [], [], [0]
    for row in x:
        nz = np.flatnonzero(row)
        indices += nz.tolist()
        data += row[nz].tolist()
        indptr.append(len(indices))
    dense = logistic.fit(logistic.Rows(dense=x), labels, weights, c=10.0)
    sparse = logistic.fit(logistic.sparse_rows(data, indices, indptr, x.shape[1]), labels, weights, c=10.0)
    assert np.allclose(dense[0], sparse[0], atol=1e-6) and math.isclose(dense[1], sparse[1], abs_tol=1e-6)


def test_the_intercept_is_not_shrunk_but_the_weights_are() -> None:
    # Every label 1 but one: an unshrunk intercept carries it; the weights stay near zero.
    x = np.zeros((50, 3))
    labels = np.ones(50, dtype=int)
    labels[0] = 0
    w, b = logistic.fit(logistic.Rows(dense=x), labels, np.ones(50), c=1.0)
    assert np.allclose(w, 0.0) and math.isclose(b, math.log(49), rel_tol=1e-5)
