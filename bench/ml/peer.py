#!/usr/bin/python3
"""The scikit-learn side of bench:ml: one experiment per call, printed as one JSON line.

Usage: /usr/bin/python3 peer.py EXPERIMENT DATA_DIR N [SEED]
EXPERIMENT in: logreg, kmeans1, kmeans10, ridge, pca
Data and settings mirror ../../../shared/bench/bench_ml.py: the Higgs-like rows from
gen_higgs_like.py, train = first 80%, StandardScaler fitted on the training rows.
Only the estimator's fit is timed, as on the Plinth side.
"""
import json
import os
import sys
import time
import warnings

import numpy as np

N_FEATURES = 28


def load(data_dir, n):
    stem = os.path.join(data_dir, f"higgs_like_{n}_s42")
    X = np.fromfile(stem + ".X.f32", dtype="<f4").reshape(n, N_FEATURES)
    y = np.fromfile(stem + ".y.u8", dtype=np.uint8)
    return X, y


def main():
    exp, data_dir, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    from sklearn.preprocessing import StandardScaler

    X, y = load(data_dir, n)
    cut = (n * 8) // 10
    out = {"exp": exp}
    if exp == "logreg":
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import LogisticRegression
        from sklearn.metrics import log_loss

        sc = StandardScaler().fit(X[:cut])
        Ztr, Zte = sc.transform(X[:cut]), sc.transform(X[cut:])
        m = LogisticRegression(solver="lbfgs", C=1.0, max_iter=100)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            t = time.perf_counter()
            m.fit(Ztr, y[:cut])
            out["fit_s"] = time.perf_counter() - t
        out["quality"] = float(log_loss(y[cut:], m.predict_proba(Zte)[:, 1]))
        out["n_iter"] = int(m.n_iter_[0])
    elif exp in ("kmeans1", "kmeans10"):
        from sklearn.cluster import KMeans

        Z = StandardScaler().fit_transform(X)
        m = KMeans(n_clusters=8, n_init=1 if exp == "kmeans1" else 10, random_state=seed, algorithm="lloyd")
        t = time.perf_counter()
        m.fit(Z)
        out["fit_s"] = time.perf_counter() - t
        out["quality"] = float(m.inertia_)
        out["n_iter"] = int(m.n_iter_)
    elif exp == "kmeans_same_init":
        # Lloyd from Plinth's k-means++ centers for this seed (written by plinth.ts kmeans_init).
        from sklearn.cluster import KMeans

        Z = StandardScaler().fit_transform(X)
        with open(os.path.join(data_dir, f"kmeans_init_{n}_s{seed}.json")) as f:
            init = np.array(json.load(f), dtype=Z.dtype)
        m = KMeans(n_clusters=8, init=init, n_init=1, algorithm="lloyd")
        t = time.perf_counter()
        m.fit(Z)
        out["fit_s"] = time.perf_counter() - t
        out["quality"] = float(m.inertia_)
        out["n_iter"] = int(m.n_iter_)
    elif exp == "ridge":
        from sklearn.linear_model import Ridge
        from sklearn.metrics import r2_score

        # Predict m_wwbb (the last, high-level feature) from the other 27.
        sc = StandardScaler().fit(X[:cut, :-1])
        Ztr, Zte = sc.transform(X[:cut, :-1]), sc.transform(X[cut:, :-1])
        m = Ridge(alpha=1.0)
        t = time.perf_counter()
        m.fit(Ztr, X[:cut, -1])
        out["fit_s"] = time.perf_counter() - t
        out["quality"] = float(r2_score(X[cut:, -1], m.predict(Zte)))
    elif exp == "pca":
        from sklearn.decomposition import PCA

        Z = StandardScaler().fit_transform(X[:cut])
        m = PCA(n_components=10, random_state=0)
        t = time.perf_counter()
        m.fit(Z)
        out["fit_s"] = time.perf_counter() - t
        out["quality"] = float(np.sum(m.explained_variance_ratio_))
    else:
        raise SystemExit(f"unknown experiment {exp}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
