"""`topolint lsp` driven by a real LSP client (pytest-lsp, pygls underneath), as an editor
would: open nginx.conf in a compose stack, get the cross-file finding, edit compose.yaml,
get it cleared, edit back, get it again; apply a code action and see the file change;
shut down with no process left behind.

The server is the built binary: TOPOLINT_BIN (default: target/debug/topolint).
Run: pytest editors/e2e  (see .ci/run)."""

from __future__ import annotations

import asyncio
import os
import pathlib
import shutil
import typing

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import make_test_lsp_client

REPO = pathlib.Path(__file__).resolve().parents[2]
BINARY = os.environ.get("TOPOLINT_BIN", str(REPO / "target" / "debug" / "topolint"))
PUBLISHED = "published-port-used-internally"
LOCALHOST = "localhost-upstream-in-container"
TIMEOUT = 20.0


def make_client() -> LanguageClient:
    client = make_test_lsp_client()
    client.applied_edits = []

    # lsprotocol 2025.0.0 reads any code action that has a `command` as a bare `Command`
    # (its hook tests `"command" in object`, not whether it is a string), losing the title,
    # kind and arguments; VS Code and Neovim tell them apart by the type of `command`.
    converter = client.protocol._converter

    def code_action_or_command(obj, _):
        if isinstance(obj.get("command"), str):
            return converter.structure(obj, types.Command)
        return converter.structure(obj, types.CodeAction)

    converter.register_structure_hook(
        typing.Union[types.Command, types.CodeAction], code_action_or_command
    )

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(ls, params: types.ApplyWorkspaceEditParams):
        ls.applied_edits.append(params.edit)
        return types.ApplyWorkspaceEditResult(applied=True)

    # The server asks to watch files (VS Code's capabilities say it may); accept.
    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(ls, params: types.RegistrationParams):
        return None

    return client


@pytest.fixture
def stack(tmp_path: pathlib.Path) -> pathlib.Path:
    root = tmp_path / "shop"
    shutil.copytree(REPO / "examples" / "shop", root)
    return root.resolve()


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[BINARY, "lsp"], client_factory=make_client)
)
async def client(lsp_client: LanguageClient, stack: pathlib.Path):
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=pytest_lsp.client_capabilities("visual-studio-code"),
            root_uri=stack.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=stack.as_uri(), name="shop")],
        )
    )
    lsp_client.stack = stack
    lsp_client.versions = {}
    yield
    # `shutdown` + `exit`, then the process must be gone, with status 0.
    server = lsp_client._server
    await lsp_client.shutdown_session()
    assert server is not None
    assert server.returncode == 0, f"topolint lsp exited with {server.returncode}"
    with pytest.raises(ProcessLookupError):
        os.kill(server.pid, 0)


def codes(diagnostics) -> list[str]:
    return [str(d.code) for d in diagnostics]


async def wait_diagnostics(client: LanguageClient, path: pathlib.Path, pred) -> list:
    uri = path.as_uri()
    deadline = asyncio.get_running_loop().time() + TIMEOUT
    while True:
        found = client.diagnostics.get(uri)
        if found is not None and pred(found):
            return list(found)
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"no matching diagnostics for {path.name}; last: {codes(found or [])}")
        await asyncio.sleep(0.02)


def open_doc(client: LanguageClient, path: pathlib.Path) -> str:
    text = path.read_text()
    client.versions[path] = 1
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=path.as_uri(), language_id="plaintext", version=1, text=text
            )
        )
    )
    return text


def change_doc(client: LanguageClient, path: pathlib.Path, text: str) -> None:
    client.versions[path] += 1
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(
                uri=path.as_uri(), version=client.versions[path]
            ),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def apply_text_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Applies LSP edits (UTF-16 positions) the way an editor does, last first."""
    lines = text.splitlines(keepends=True)

    def offset(pos: types.Position) -> int:
        start = sum(len(l) for l in lines[: pos.line])
        line = lines[pos.line] if pos.line < len(lines) else ""
        units = 0
        for i, ch in enumerate(line):
            if units >= pos.character:
                return start + i
            units += 2 if ord(ch) > 0xFFFF else 1
        return start + len(line.rstrip("\r\n"))

    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        a, b = offset(e.range.start), offset(e.range.end)
        text = text[:a] + e.new_text + text[b:]
        lines = text.splitlines(keepends=True)
    return text


def fixed_compose(text: str) -> str:
    """The API listens on 8081 inside its container: nginx's `api:8081` becomes right."""
    fixed = text.replace('"8081:8000"', '"8081:8081"').replace('"--port", "8000"', '"--port", "8081"')
    assert fixed != text
    return fixed


async def test_cross_file_finding_follows_the_compose_file(client: LanguageClient):
    conf = client.stack / "nginx" / "conf.d" / "shop.conf"
    compose = client.stack / "compose.yaml"
    open_doc(client, conf)

    found = await wait_diagnostics(client, conf, lambda d: PUBLISHED in codes(d))
    d = next(d for d in found if d.code == PUBLISHED)
    assert d.range.start == types.Position(line=1, character=11)
    assert d.severity == types.DiagnosticSeverity.Error
    assert d.code_description.href.endswith("/docs/rules/published-port-used-internally.md")
    evidence = [r for r in d.related_information if r.location.uri == compose.as_uri()]
    assert evidence and evidence[0].location.range.start.line == 22

    original = open_doc(client, compose)
    change_doc(client, compose, fixed_compose(original))
    cleared = await wait_diagnostics(client, conf, lambda d: PUBLISHED not in codes(d))
    assert LOCALHOST in codes(cleared)

    change_doc(client, compose, original)
    await wait_diagnostics(client, conf, lambda d: PUBLISHED in codes(d))


async def test_hover_explains_the_finding_and_the_name(client: LanguageClient):
    conf = client.stack / "nginx" / "conf.d" / "shop.conf"
    open_doc(client, conf)
    await wait_diagnostics(client, conf, lambda d: PUBLISHED in codes(d))
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=conf.as_uri()),
            position=types.Position(line=1, character=13),
        )
    )
    text = hover.contents.value
    assert "What it does" in text
    assert "service `api`" in text and "published on the host as 8081" in text


async def test_code_action_fix_changes_the_file(client: LanguageClient):
    conf = client.stack / "nginx" / "conf.d" / "shop.conf"
    text = open_doc(client, conf)
    await wait_diagnostics(client, conf, lambda d: LOCALHOST in codes(d))
    line = next(i for i, l in enumerate(text.splitlines()) if "localhost:3000" in l)

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=conf.as_uri()),
            range=types.Range(start=types.Position(line, 0), end=types.Position(line, 0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    fix = next(a for a in actions if a.edit is not None and "storefront" in a.title)
    new_text = apply_text_edits(text, fix.edit.changes[conf.as_uri()])
    # The editor applies the edit to its buffer and saves it.
    change_doc(client, conf, new_text)
    conf.write_text(new_text)
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=conf.as_uri()))
    )
    assert "proxy_pass http://storefront:3000;" in conf.read_text()
    after = await wait_diagnostics(client, conf, lambda d: LOCALHOST not in codes(d))
    assert PUBLISHED in codes(after)

    # "Suppress with a reason": the editor asks for the reason and runs the command; the
    # server sends the edit back (workspace/applyEdit).
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=conf.as_uri()),
            range=types.Range(start=types.Position(1, 12), end=types.Position(1, 12)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    suppress = next(a for a in actions if a.title.startswith(f"Suppress `{PUBLISHED}`"))
    args = dict(suppress.command.arguments[0])
    args["reason"] = "the load balancer publishes 8081 as well"
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=suppress.command.command, arguments=[args])
    )
    deadline = asyncio.get_running_loop().time() + TIMEOUT
    while not client.applied_edits:
        assert asyncio.get_running_loop().time() < deadline, "no workspace/applyEdit"
        await asyncio.sleep(0.02)
    suppressed = apply_text_edits(new_text, client.applied_edits[-1].changes[conf.as_uri()])
    assert f"    # topolint: ignore[{PUBLISHED}] the load balancer publishes 8081 as well\n    server api:8081;" in suppressed
    change_doc(client, conf, suppressed)
    await wait_diagnostics(
        client, conf, lambda d: PUBLISHED not in codes(d) and "suppression-without-reason" not in codes(d)
    )
