/**
 * Playwright helpers for the VS Code workbench served by code-server. Selectors were checked on
 * VS Code 1.139; every helper waits on rendered state with a bounded retry, never a fixed delay.
 */
import type { Page } from 'playwright-core';
import { until } from './wait';

/**
 * The few DOM members the in-page probes use. This project type-checks without the DOM lib (it
 * would leak browser globals into Node code), so probes reach them through `globalThis` as this.
 */
interface DomEl {
  readonly className: string;
  readonly scrollHeight: number;
  readonly clientHeight: number;
  closest(sel: string): DomEl | null;
}
interface Dom {
  readonly document: { readonly activeElement: DomEl | null; querySelectorAll(sel: string): ArrayLike<DomEl> };
  getComputedStyle(el: DomEl, pseudo: string): { readonly content: string };
}

export async function openWorkbench(page: Page, url: string, folder: string): Promise<void> {
  await page.goto(`${url}/?folder=${encodeURIComponent(folder)}`, { waitUntil: 'domcontentloaded' });
  await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
  // The explorer lists the folder once the remote file system is connected.
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 90_000 });
}

/** Quick Open by file name, then wait until that file is the active editor tab. */
export async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+p');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(name);
  // The list first shows recently opened files; wait until the filtered match is on top.
  const first = page.locator('.quick-input-list .monaco-list-row').first();
  await until(async () => ((await first.getAttribute('aria-label')) ?? '').includes(name), { what: `Quick Open to list ${name} first` });
  await page.keyboard.press('Enter');
  await page.locator(`.tabs-container .tab.active[aria-label*="${name}"]`).waitFor({ timeout: 15_000 });
  await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ timeout: 15_000 });
}

/** Focuses the active editor group (after a panel stole focus). */
export async function focusEditor(page: Page): Promise<void> {
  await page.keyboard.press('Control+1');
  await until(async () => page.evaluate(() => !!(globalThis as unknown as Dom).document.activeElement?.closest('.editor-instance')), { what: 'editor focus', timeoutMs: 10_000 });
}

/** Moves the cursor with Go to Line (1-based line and column). */
export async function gotoLine(page: Page, line: number, column: number): Promise<void> {
  await focusEditor(page);
  await page.keyboard.press('Control+g');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  // Go to Line opens Quick Open with a `:` prefix; filling replaces it, so write it back.
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await until(async () => (await page.locator('.quick-input-widget').isVisible()) === false, { what: 'Go to Line to close', timeoutMs: 10_000 });
}

/** Visible warning squiggles in the active editor (overlays re-render, so re-query each time). */
export async function squiggleCount(page: Page): Promise<number> {
  return page.locator('.editor-instance .monaco-editor .view-overlays .cdr.squiggly-warning').filter({ visible: true }).count();
}

/** Opens the Problems panel and returns the aria-labels of its rows. */
export async function problemRows(page: Page): Promise<string[]> {
  const rows = page.locator('.markers-panel .monaco-list-row');
  if (!(await page.locator('.markers-panel').isVisible())) await page.keyboard.press('Control+Shift+m');
  await page.locator('.markers-panel').waitFor({ state: 'visible', timeout: 15_000 });
  const labels: string[] = [];
  for (const row of await rows.all()) labels.push((await row.getAttribute('aria-label')) ?? '');
  return labels;
}

/**
 * Shows the hover at a position (`editor.action.showHover`) and returns its text once `accept`
 * takes it: hover parts from several providers (problems, decorations, our server) render one by one.
 */
export async function hoverText(page: Page, line: number, column: number, accept: (text: string) => void, timeoutMs = 20_000): Promise<string> {
  await gotoLine(page, line, column);
  await page.keyboard.press('Control+k');
  await page.keyboard.press('Control+i');
  const hover = page.locator('.monaco-hover:not(.hidden)').filter({ visible: true });
  return until(async () => {
    const text = (await hover.allInnerTexts()).join('\n').trim();
    accept(text);
    return text;
  }, { what: 'a hover to render', timeoutMs });
}

/** Opens the quick-fix menu at a position and returns the labels of its rows. */
export async function quickFixRows(page: Page, line: number, column: number): Promise<string[]> {
  await gotoLine(page, line, column);
  await page.keyboard.press('Control+.');
  const rows = page.locator('.action-widget .monaco-list-row').filter({ visible: true });
  return until(async () => {
    const texts = await rows.allInnerTexts();
    return texts.length > 0 ? texts.map((t) => t.trim()) : undefined;
  }, { what: 'the quick-fix menu', timeoutMs: 20_000 });
}

/**
 * With a quick-fix menu open that was asked for by kind (the plain `Ctrl+.` menu never lists
 * disabled actions), clicks its *Show Disabled* button and returns what VS Code shows of each
 * disabled row: its text, then its tooltip.
 */
export async function disabledQuickFixRows(page: Page): Promise<string[]> {
  await page.locator('.action-widget .monaco-list-row').filter({ visible: true }).first().waitFor({ timeout: 20_000 });
  await page.locator('.action-widget .action-widget-action-bar .action-label').filter({ hasText: 'Show Disabled' }).first().click({ timeout: 10_000 });
  const rows = page.locator('.action-widget .monaco-list-row.option-disabled').filter({ visible: true });
  return until(async () => {
    const out: string[] = [];
    for (const row of await rows.all()) out.push(`${(await row.innerText()).trim()} | ${(await row.getAttribute('title')) ?? ''} | ${(await row.getAttribute('aria-label')) ?? ''}`);
    return out.length > 0 ? out : undefined;
  }, { what: 'the disabled quick fixes to show', timeoutMs: 10_000 });
}

/** How wide the open quick-fix menu is, and by how many pixels its widest row is cut off (0 when every row reads whole). */
export async function quickFixMenuOverflow(page: Page): Promise<{ width: number; overflow: number }> {
  return page.evaluate(() => {
    let width = 0;
    let overflow = 0;
    for (const el of Array.from((globalThis as unknown as Dom).document.querySelectorAll('.action-widget .monaco-list-row .title'))) {
      const e = el as unknown as { scrollWidth: number; clientWidth: number };
      width = Math.max(width, e.clientWidth);
      overflow = Math.max(overflow, e.scrollWidth - e.clientWidth);
    }
    return { width, overflow };
  });
}

/** Waits for a notification toast whose message matches `text`; its message and the labels of its buttons. */
export async function notification(page: Page, text: RegExp, timeoutMs = 20_000): Promise<{ message: string; buttons: string[] }> {
  const item = page.locator('.notifications-toasts .notification-list-item').filter({ has: page.locator('.notification-list-item-message', { hasText: text }) }).first();
  await item.waitFor({ state: 'visible', timeout: timeoutMs });
  const message = (await item.locator('.notification-list-item-message').innerText()).trim();
  const buttons = (await item.locator('.notification-list-item-buttons-container .monaco-button').allInnerTexts()).map((b) => b.trim());
  return { message, buttons };
}

/** Applies the quick-fix row whose label contains `label` (the menu must be open). */
export async function applyQuickFix(page: Page, label: string): Promise<void> {
  const row = page.locator('.action-widget .monaco-list-row').filter({ hasText: label }).first();
  await row.click();
  await until(async () => (await page.locator('.action-widget').filter({ visible: true }).count()) === 0, { what: 'the quick-fix menu to close', timeoutMs: 10_000 });
}

/** The text of every `::after` pseudo-element in the active editor's lines: where `after: {contentText}` decorations render. */
export async function afterContents(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const dom = globalThis as unknown as Dom;
    const out: string[] = [];
    for (const el of Array.from(dom.document.querySelectorAll('.editor-instance .monaco-editor .view-lines span'))) {
      const c = dom.getComputedStyle(el, '::after').content;
      if (c && c !== 'none' && c !== 'normal' && c !== '""') out.push(c.replace(/^"|"$/g, ''));
    }
    return out;
  });
}

/** Class names of glyph-margin (gutter) decorations currently rendered in the active editor. */
export async function gutterDecorations(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from((globalThis as unknown as Dom).document.querySelectorAll('.editor-instance .monaco-editor .glyph-margin-widgets > div, .editor-instance .monaco-editor .margin-view-overlays .cgmr')).map(
      (el) => el.className,
    ),
  );
}

/** The active editor's text, as rendered (first screenful). */
export async function editorText(page: Page): Promise<string> {
  return (await page.locator('.editor-instance .monaco-editor .view-lines').first().innerText()).replace(/\u00a0/g, ' ');
}

/** How far the visible hover's content would have to scroll (0 when it fits), and its height in pixels. */
export async function hoverOverflow(page: Page): Promise<{ overflow: number; height: number }> {
  return page.evaluate(() => {
    let overflow = 0;
    let height = 0;
    for (const el of Array.from((globalThis as unknown as Dom).document.querySelectorAll('.monaco-hover:not(.hidden) .monaco-scrollable-element, .monaco-hover:not(.hidden) .monaco-hover-content'))) {
      overflow = Math.max(overflow, el.scrollHeight - el.clientHeight);
      height = Math.max(height, el.clientHeight);
    }
    return { overflow, height };
  });
}

/** Runs a command from the command palette by its title. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('Control+Shift+p');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(`>${title}`);
  const first = page.locator('.quick-input-list .monaco-list-row').first();
  await until(async () => ((await first.getAttribute('aria-label')) ?? '').includes(title), { what: `the palette to list "${title}"` });
  await page.keyboard.press('Enter');
}

/** Clicks a button of a notification toast, once a toast shows one labelled `label`. */
export async function clickNotificationButton(page: Page, label: string, timeoutMs = 120_000): Promise<string> {
  const button = page.locator('.notifications-toasts .monaco-button').filter({ hasText: label }).first();
  await button.waitFor({ state: 'visible', timeout: timeoutMs });
  const toast = (await page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts()).join(' | ');
  await button.click();
  return toast;
}
