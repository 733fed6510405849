"""Write the IPython kernel configuration that keeps TensorFlow's C++ log lines out of cell outputs.

TensorFlow writes to file descriptor 2 directly; with ``capture_fd_output`` on (the
default), those lines land in a cell's stderr and break nbval's output comparison. The
kernel application's own log is limited to errors, so batch runs print only progress.
``python -m seqlab.kernel_config`` writes ``<venv>/etc/ipython/ipython_kernel_config.py``.
"""

import sys
from pathlib import Path

CONFIG = (
    "c.IPKernelApp.capture_fd_output = False\n"
    # the kernel's own start-up warnings (e.g. "running over TCP without encryption") would
    # otherwise interleave with the progress bar of every `seqlab run`
    'c.IPKernelApp.log_level = "ERROR"\n'
)


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
