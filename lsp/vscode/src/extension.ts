// A minimal VS Code client for the tonecheck language server (`tonecheck lsp`).
//
// The server does the work: diagnostics (pulled by VS Code), quick fixes, hover,
// and reloading when configuration or pack files change (it registers its own
// file watchers). This extension starts it, passes the `tonecheck.*` settings,
// and forwards setting changes.

import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';

// The settings the server understands: every `tonecheck.*` setting this extension's
// package.json contributes but `command`, which is the extension's own. package.json
// itself is checked against the server's `ServerSettings` by tests/test_lsp.py.
let serverSettingNames: string[] = [];

let client: LanguageClient | undefined;

function serverSettings(): Record<string, unknown> {
  const section = vscode.workspace.getConfiguration('tonecheck');
  const settings: Record<string, unknown> = {};
  for (const key of serverSettingNames) {
    settings[key] = section.get(key);
  }
  return settings;
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const properties: Record<string, unknown> = context.extension.packageJSON.contributes.configuration.properties;
  serverSettingNames = Object.keys(properties)
    .map((key) => key.replace(/^tonecheck\./, ''))
    .filter((key) => key !== 'command');
  const [command, ...args] = vscode.workspace.getConfiguration('tonecheck').get<string[]>('command', ['tonecheck', 'lsp']);
  const serverOptions: ServerOptions = { command, args, transport: TransportKind.stdio };
  const clientOptions: LanguageClientOptions = {
    documentSelector: ['plaintext', 'markdown', 'html', 'email'].map((language) => ({ language })),
    initializationOptions: serverSettings(),
    middleware: {
      workspace: {
        // Answer the server's workspace/configuration with its settings only.
        configuration: (params) => params.items.map((item) => (item.section === 'tonecheck' ? serverSettings() : null)),
      },
    },
  };
  client = new LanguageClient('tonecheck', 'tonecheck', serverOptions, clientOptions);
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (client && event.affectsConfiguration('tonecheck')) {
        void client.sendNotification('workspace/didChangeConfiguration', { settings: { tonecheck: serverSettings() } });
      }
    }),
  );
  await client.start();
}

export async function deactivate(): Promise<void> {
  if (client) {
    await client.stop();
    client = undefined;
  }
}
