// The topolint extension: a thin client of `topolint lsp`. Everything (cross-file findings,
// hover, quick fixes) comes from the server; this file starts it, passes the settings, asks
// for the reason of a suppression, and restarts the server when the settings change.

import * as vscode from "vscode";
import {
  Executable,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
} from "vscode-languageclient/node";

/// The server's command that inserts `# topolint: ignore[rule] reason` (see the LSP crate).
const SUPPRESS_COMMAND = "topolint.suppress";

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("topolint.restart", () => restart(context)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("topolint.path") || e.affectsConfiguration("topolint.configPath")) {
        void restart(context);
      }
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  await client?.stop();
  client = undefined;
  await start(context);
}

async function start(_context: vscode.ExtensionContext): Promise<void> {
  const settings = vscode.workspace.getConfiguration("topolint");
  const command: Executable = {
    command: settings.get<string>("path") || "topolint",
    args: ["lsp"],
  };
  const serverOptions: ServerOptions = { run: command, debug: command };
  const clientOptions: LanguageClientOptions = {
    // YAML (compose, Kubernetes, Istio), nginx (by language or by name) and the configuration.
    documentSelector: [
      { scheme: "file", language: "yaml" },
      { scheme: "file", language: "dockercompose" },
      { scheme: "file", language: "nginx" },
      { scheme: "file", pattern: "**/*.conf" },
      { scheme: "file", pattern: "**/*.conf.template" },
      { scheme: "file", pattern: "**/templates/*.template" },
      { scheme: "file", pattern: "**/topolint.toml" },
    ],
    initializationOptions: {
      configPath: settings.get<string>("configPath") || undefined,
    },
    middleware: {
      // A suppression needs a reason: ask for it before the server inserts the comment.
      executeCommand: async (name, args, next) => {
        if (name !== SUPPRESS_COMMAND) {
          return next(name, args);
        }
        const target = args[0] ?? {};
        const reason = await vscode.window.showInputBox({
          title: `Suppress \`${target.rule ?? "finding"}\``,
          prompt: "Why is this finding fine here? (written after the suppression comment)",
          placeHolder: "e.g. the backend is reached through the host network on purpose",
          ignoreFocusOut: true,
          validateInput: (v) => (v.trim() === "" ? "a suppression without a reason is itself a finding" : undefined),
        });
        if (reason === undefined) {
          return undefined;
        }
        return next(name, [{ ...target, reason }]);
      },
    },
  };
  client = new LanguageClient("topolint", "topolint", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    void vscode.window.showErrorMessage(
      `topolint: cannot start \`${command.command} lsp\` (${message}). Install topolint or set \`topolint.path\`.`,
    );
  }
}
