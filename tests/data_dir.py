"""Loaded with ``-p tests.data_dir`` before Django sets up: a test run never touches ./data."""

import os
import tempfile

os.environ.setdefault("LINJU_DATA_DIR", tempfile.mkdtemp(prefix="linju-test-"))
