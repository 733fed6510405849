"""Write the IPython kernel configuration that keeps TensorFlow's C++ log lines out of cell outputs.

TensorFlow writes to file descriptor 2 directly; with ``capture_fd_output`` on (the
default), those lines land in a cell's stderr and break nbval's output comparison.
``python -m seqlab.kernel_config`` writes ``<venv>/etc/ipython/ipython_kernel_config.py``.
"""

import sys
from pathlib import Path

CONFIG = "c.IPKernelApp.capture_fd_output = False\n"


def write(prefix=sys.prefix):
    """Write the kernel config under ``prefix`` and return its path (idempotent)."""
    path = Path(prefix) / "etc" / "ipython" / "ipython_kernel_config.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = path.read_text() if path.exists() else ""
    if CONFIG not in text:
        path.write_text(text + CONFIG)
    return path


if __name__ == "__main__":
    print(write())
