#!/usr/bin/python3
"""The peer side of bench:trees (XGBoost 1.7 hist, scikit-learn HistGradientBoosting), one
experiment per process, printed as one JSON line. Settings of ../shared/bench/bench_ml.py.

Usage: /usr/bin/python3 peer.py SIDE EXPERIMENT DATA_DIR N THREADS
SIDE: xgb | hgb. EXPERIMENT: depthwise (depth 8) | lossguide (255 leaves).
Only training is timed (XGBoost: xgb.train, which builds its histogram index; the DMatrix is
made before the timer, as bench_ml.py does). With PREDICT=1 (xgb) it also times inplace_predict
of all N rows and single-row inplace_predict latency.
"""
import json
import os
import sys
import time

import numpy as np


def main():
    side, exp, data_dir, n, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    stem = os.path.join(data_dir, "higgs_like_1000000_s42")
    X = np.fromfile(stem + ".X.f32", dtype=np.float32, count=n * 28).reshape(n, 28)
    y = np.fromfile(stem + ".y.u8", dtype=np.uint8, count=n)
    cut = n * 8 // 10
    Xtr, ytr, Xte, yte = X[:cut], y[:cut], X[cut:], y[cut:]
    from sklearn.metrics import roc_auc_score
    out = {"side": side, "exp": exp, "n": n, "threads": threads}
    if side == "xgb":
        import xgboost as xgb
        p = {"objective": "binary:logistic", "tree_method": "hist", "eta": 0.1, "max_bin": 255,
             "nthread": threads, "eval_metric": "auc", "seed": 0}
        if exp == "lossguide":
            p.update(grow_policy="lossguide", max_leaves=255, max_depth=0)
        else:
            p.update(max_depth=8)
        dtr = xgb.DMatrix(Xtr, label=ytr, nthread=threads)
        c0 = time.process_time()
        t0 = time.perf_counter()
        bst = xgb.train(p, dtr, num_boost_round=100)
        out["fit_s"] = time.perf_counter() - t0
        out["cpu_s"] = time.process_time() - c0
        out["auc"] = float(roc_auc_score(yte, bst.inplace_predict(Xte)))
        df = bst.trees_to_dataframe()
        out["mean_leaves_per_tree"] = float((df.Feature == "Leaf").sum() / 100)
        if os.environ.get("PREDICT") == "1":
            Xc = np.ascontiguousarray(X)
            bst.inplace_predict(Xc[:1000])
            best = min(_timed(lambda: bst.inplace_predict(Xc)) for _ in range(3))
            out["predict_rows_per_s"] = n / best
            K = 20000
            rows = [Xc[i:i + 1] for i in range(K)]
            for i in range(2000):
                bst.inplace_predict(rows[i])
            lat = np.empty(K)
            for i in range(K):
                t = time.perf_counter_ns()
                bst.inplace_predict(rows[i])
                lat[i] = (time.perf_counter_ns() - t) / 1000
            out["single_p50_us"] = float(np.percentile(lat, 50))
            out["single_p99_us"] = float(np.percentile(lat, 99))
    else:
        from sklearn.ensemble import HistGradientBoostingClassifier
        from threadpoolctl import threadpool_limits
        with threadpool_limits(limits=threads):
            m = HistGradientBoostingClassifier(max_iter=100, max_leaf_nodes=255, learning_rate=0.1,
                                               max_bins=255, early_stopping=False, random_state=0)
            c0 = time.process_time()
            t0 = time.perf_counter()
            m.fit(Xtr, ytr)
            out["fit_s"] = time.perf_counter() - t0
            out["cpu_s"] = time.process_time() - c0
            out["auc"] = float(roc_auc_score(yte, m.predict_proba(Xte)[:, 1]))
            out["mean_leaves_per_tree"] = float(np.mean([pr[0].get_n_leaf_nodes() for pr in m._predictors]))
    print(json.dumps(out))


def _timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
