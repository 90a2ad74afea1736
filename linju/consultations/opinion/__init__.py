"""The opinion map (Polis-style): residents agree, disagree or pass on short statements; the
map places them by PCA, groups them by k-means and names each group's representative
statements and the statements every group agrees with.

Pure computation on numpy: no Django, no database, so ``linju opinion-map`` starts fast and
the web side can call :func:`linju.consultations.opinion.compute.opinion_map` on votes it holds
in memory.
"""

import os

# The matrices here are small (statements × statements): one BLAS thread is fastest, and
# OpenBLAS's default of a thread per core spins badly when the cores are shared with web
# workers (a 400 × 400 eigen-decomposition goes from 20 ms to seconds). This takes effect only
# if numpy is not loaded yet, and an explicit setting wins.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
