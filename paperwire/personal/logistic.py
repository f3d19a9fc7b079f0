"""L2-regularised logistic regression with sample weights, for dense rows or sparse word rows.

It minimises what scikit-learn's LogisticRegression minimises by default —
C · Σᵢ sᵢ · log(1 + exp(−yᵢ (xᵢ·w + b))) + ½‖w‖², the intercept b not shrunk — by Newton's
method with conjugate-gradient steps (scikit-learn's "newton-cg" solver). The problem is convex,
so both land on the same weights; written here because scikit-learn and SciPy would add ~195 MB
to an install whose whole budget is 400 MB, for this one function (docs/decisions.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NEWTON_STEPS = 50  # a few to a dozen are used: Newton converges quadratically near the optimum
CG_STEPS = 200  # inner steps per Newton step; the system has at most a few thousand unknowns
TOLERANCE = 1e-6  # stop when the gradient's largest entry is this small (scikit-learn's tol is 1e-4)


@dataclass
class Rows:
    """Training rows: a dense matrix, or sparse rows as CSR arrays (data, indices, indptr, width)."""

    dense: np.ndarray | None = None
    data: np.ndarray | None = None
    indices: np.ndarray | None = None
    indptr: np.ndarray | None = None
    width: int = 0

    @property
    def shape(self) -> tuple[int, int]:
        if self.dense is not None:
            return self.dense.shape[0], self.dense.shape[1]
        assert self.indptr is not None
        return len(self.indptr) - 1, self.width

    def dot(self, w: np.ndarray) -> np.ndarray:
        """Return X · w."""
        if self.dense is not None:
            return self.dense @ w
        assert self.data is not None and self.indices is not None and self.indptr is not None
        rows = np.repeat(np.arange(len(self.indptr) - 1), np.diff(self.indptr))
        return np.bincount(rows, weights=self.data * w[self.indices], minlength=len(self.indptr) - 1)

    def tdot(self, u: np.ndarray) -> np.ndarray:
        """Return Xᵀ · u."""
        if self.dense is not None:
            return self.dense.T @ u
        assert self.data is not None and self.indices is not None and self.indptr is not None
        per_entry = np.repeat(u, np.diff(self.indptr))
        return np.bincount(self.indices, weights=self.data * per_entry, minlength=self.width)


def sparse_rows(data: list[float], indices: list[int], indptr: list[int], width: int) -> Rows:
    """Return CSR arrays as training rows."""
    return Rows(
        data=np.asarray(data, dtype=np.float64),
        indices=np.asarray(indices, dtype=np.int64),
        indptr=np.asarray(indptr, dtype=np.int64),
        width=width,
    )


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # exact, and never overflows


def _loss(z: np.ndarray, y: np.ndarray, s: np.ndarray, w: np.ndarray, c: float) -> float:
    margins = y * z
    return float(c * np.sum(s * np.logaddexp(0.0, -margins)) + 0.5 * w @ w)


def fit(x: Rows, labels: np.ndarray, sample_weight: np.ndarray, c: float = 1.0) -> tuple[np.ndarray, float]:
    """Return (weights, intercept) minimising the weighted, L2-regularised logistic loss."""
    n, d = x.shape
    y = np.where(np.asarray(labels) > 0, 1.0, -1.0)
    s = np.asarray(sample_weight, dtype=np.float64)
    w, b = np.zeros(d), 0.0
    z = np.zeros(n)
    for _ in range(NEWTON_STEPS):
        p = _sigmoid(y * z)  # probability of the right label
        r = c * s * (p - 1.0) * y  # d loss / d z
        grad_w, grad_b = x.tdot(r) + w, float(r.sum())
        if max(np.abs(grad_w).max(initial=0.0), abs(grad_b)) < TOLERANCE:
            break
        h = c * s * p * (1.0 - p)  # the Hessian's diagonal weights

        def hess(vw: np.ndarray, vb: float, h: np.ndarray = h) -> tuple[np.ndarray, float]:
            t = h * (x.dot(vw) + vb)
            return x.tdot(t) + vw, float(t.sum())

        step_w, step_b = _conjugate_gradient(hess, -grad_w, -grad_b)
        # Backtracking keeps each step a descent on the loss (rarely needed after the first).
        base, slope, t = _loss(z, y, s, w, c), float(grad_w @ step_w + grad_b * step_b), 1.0
        for _ in range(30):
            w_new, b_new = w + t * step_w, b + t * step_b
            z_new = x.dot(w_new) + b_new
            if _loss(z_new, y, s, w_new, c) <= base + 1e-4 * t * slope:
                break
            t *= 0.5
        w, b, z = w_new, b_new, z_new
    return w, b


def _conjugate_gradient(hess, rhs_w: np.ndarray, rhs_b: float) -> tuple[np.ndarray, float]:  # type: ignore[no-untyped-def]
    """Solve H · v = rhs for the Newton step (H positive definite but for the intercept's row)."""
    vw, vb = np.zeros_like(rhs_w), 0.0
    rw, rb = rhs_w.copy(), rhs_b
    pw, pb = rw.copy(), rb
    rr = float(rw @ rw + rb * rb)
    for _ in range(CG_STEPS):
        if rr < 1e-20:
            break
        hw, hb = hess(pw, pb)
        curvature = float(pw @ hw + pb * hb)
        if curvature <= 0:
            break
        alpha = rr / curvature
        vw, vb = vw + alpha * pw, vb + alpha * pb
        rw, rb = rw - alpha * hw, rb - alpha * hb
        rr_new = float(rw @ rw + rb * rb)
        pw, pb = rw + (rr_new / rr) * pw, rb + (rr_new / rr) * pb
        rr = rr_new
    return vw, vb
