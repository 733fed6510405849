"""A real Jupyter server on localhost opens every notebook and runs its parameters cell in a kernel.

The server runs with jupytext's contents manager, as `make lab` does: each notebook is opened
through the contents API twice (the .ipynb, and the .py as a notebook), then a kernel started
through the REST API executes the parameters cell over the kernel websocket (with the
notebook's folder as working directory) and must define every parameter.
"""

import ast
import json
import secrets
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

requests = pytest.importorskip("requests")
websocket = pytest.importorskip("websocket")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(path.relative_to(ROOT).as_posix() for path in (ROOT / "notebooks").glob("*/*.ipynb"))
# the fixture notebook keeps this test doing real work while notebooks/ is still empty
CHECKED = NOTEBOOKS + ["tests/fixtures/tiny.ipynb"]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port, token = free_port(), secrets.token_hex(16)
    process = subprocess.Popen(
        [
            sys.executable, "-m", "jupyter_server", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ROOT}",
            "--ServerApp.contents_manager_class=jupytext.TextFileContentsManager", "--allow-root",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    session = requests.Session()
    session.headers["Authorization"] = f"token {token}"
    deadline = time.monotonic() + 120
    try:
        while True:
            assert process.poll() is None, "jupyter server exited during start-up"
            try:
                if session.get(f"{url}/api/status", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "jupyter server did not answer within 120 s"
            time.sleep(0.2)
        yield url, token, session
    finally:
        process.terminate()
        process.wait(timeout=30)


def parameters_cell(notebook):
    (cell,) = [cell for cell in notebook["cells"] if "parameters" in cell["metadata"].get("tags", [])]
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


def execute(url, token, kernel_id, code, timeout=120):
    """Run ``code`` through the kernel's websocket channel; return (reply content, stdout text)."""
    connection = websocket.create_connection(
        f"{url.replace('http', 'ws', 1)}/api/kernels/{kernel_id}/channels?token={token}", timeout=timeout
    )
    try:
        message_id = uuid.uuid4().hex
        connection.send(json.dumps({
            "header": {"msg_id": message_id, "msg_type": "execute_request", "username": "test", "session": uuid.uuid4().hex,
                       "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True},
        }))
        stdout, reply, idle = [], None, False
        deadline = time.monotonic() + timeout
        while reply is None or not idle:
            assert time.monotonic() < deadline, "no execute_reply in time"
            message = json.loads(connection.recv())
            if message["parent_header"].get("msg_id") != message_id:
                continue
            kind = message["header"]["msg_type"]
            if kind == "stream" and message["content"]["name"] == "stdout":
                stdout.append(message["content"]["text"])
            elif kind == "execute_reply":
                reply = message["content"]
            elif kind == "status":
                idle = message["content"]["execution_state"] == "idle"
        return reply, "".join(stdout)
    finally:
        connection.close()


@pytest.mark.parametrize("notebook", CHECKED)
def test_notebook_opens_and_parameters_run_in_a_server_kernel(server, notebook):
    url, token, session = server
    opened = session.get(f"{url}/api/contents/{quote(notebook)}", params={"content": 1}, timeout=60)
    assert opened.status_code == 200, opened.text
    model = opened.json()
    assert model["type"] == "notebook", f"{notebook} did not open as a notebook"
    source = Path(notebook).with_suffix(".py").as_posix()
    if (ROOT / source).exists():
        text = session.get(f"{url}/api/contents/{quote(source)}", params={"content": 1, "type": "notebook"}, timeout=60)
        assert text.status_code == 200, text.text
        assert text.json()["type"] == "notebook", f"jupytext did not open {source} as a notebook"
        assert parameters_cell(text.json()["content"]).strip() == parameters_cell(model["content"]).strip()
    code = parameters_cell(model["content"])
    names = [node.target.id for node in ast.parse(code).body if isinstance(node, ast.AnnAssign)]
    names += [target.id for node in ast.parse(code).body if isinstance(node, ast.Assign) for target in node.targets]
    assert names, f"{notebook}: the parameters cell assigns nothing"
    kernel = session.post(f"{url}/api/kernels", json={"name": "python3", "path": str(Path(notebook).parent)}, timeout=60)
    assert kernel.status_code == 201, kernel.text
    kernel_id = kernel.json()["id"]
    try:
        reply, _ = execute(url, token, kernel_id, code)
        assert reply["status"] == "ok", f"{notebook}: parameters cell raised {reply.get('ename')}: {reply.get('evalue')}"
        probe = f"import json, os\nprint(json.dumps([os.getcwd(), sorted(n for n in {names!r} if n in globals())]))"
        reply, stdout = execute(url, token, kernel_id, probe)
        assert reply["status"] == "ok"
        cwd, defined = json.loads(stdout)
        assert Path(cwd) == (ROOT / notebook).parent
        assert defined == sorted(names)
    finally:
        session.delete(f"{url}/api/kernels/{kernel_id}", timeout=60)
